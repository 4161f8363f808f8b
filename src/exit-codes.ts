// Exit codes (README, "Exit codes"), shared by both halves: docker's own code passes through; these are ours.
export const EXIT = {
  ok: 0,
  /** Usage error: the command line is malformed (docker itself would reject it). */
  usage: 2,
  /** Broker or sudo not set up: run `cida-docker doctor`. */
  notSetUp: 69,
  /** A bug, not a user mistake. */
  internal: 70,
  /** Refused by policy. */
  refused: 77,
  /** The policy file is bad. */
  badPolicy: 78,
} as const;
