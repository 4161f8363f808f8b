// What one broker call did, for its exit code and its audit line.
import { EXIT } from '../exit-codes.js';
import { formatViolations } from '../guards/report.js';
import type { Engine } from './engine.js';
import type { Caller } from './identity.js';
import type { Policy } from '../policy/policy.js';
import type { Verdict } from './audit.js';
import type { ApprovalLookup } from './build.js';

export interface Outcome {
  readonly exit: number;
  readonly verdict: Verdict;
  readonly rules: readonly string[];
  /** The docker argv of the main docker call made (after the program name). */
  readonly finalArgv: readonly string[];
  readonly container?: string;
  /** The approval a push or tag was allowed by (12 hex digits). */
  readonly approval?: string;
  readonly note?: string;
}

export interface BrokerContext {
  readonly engine: Engine;
  readonly caller: Caller;
  readonly policy: Policy;
  /** Policy admins (and root) see and act on every container. */
  readonly admin: boolean;
  /** The broker's ownership records (CONTAINERS_DIR; a temporary directory in tests). */
  readonly records: string;
  /** The per-developer ceiling locks (LOCKS_DIR; default: \`locks\` beside the records, as in tests). */
  readonly locks?: string;
  /**
   * Called once the verb's containers have started (an attached start: while it still runs), so
   * the caller's ceiling lock is held for the count and the start, not for a container's life.
   */
  readonly started?: () => void;
  /** A registry credential the front end read from the caller's DOCKER_CONFIG, for this push or pull only. */
  readonly registryAuth?: { readonly registry: string; readonly auth: string };
  /** The approvals store (image provenance), opened on first use. */
  readonly store: () => ApprovalLookup;
}

/** A refusal by rule `rule`: the message with its fix on the caller's stderr, exit 77. */
export function refused(rule: string, message: string, fix: string, extra: Partial<Outcome> = {}): Outcome {
  process.stderr.write(`${formatViolations([{ rule, message, fix }])}\n`);
  return { exit: EXIT.refused, verdict: 'refused', rules: [rule], finalArgv: [], note: message, ...extra };
}

/**
 * Thrown where a helper deep in a verb cannot return an Outcome (a container listing every verb
 * needs): its message is already on the caller's stderr; the broker ends the request with
 * `outcome` and prints no stack (it is not a bug).
 */
export class Stopped extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.note ?? 'stopped');
  }
}

/** Rule id of a refusal because docker printed more than the broker reads of one call. */
export const OUTPUT_LIMIT_RULE = 'engine-output-limit';

/**
 * The refusal for docker output over the broker's capture cap: it never acts on a cut listing
 * (whose containers or tags it could not see), and it never buffers without limit.
 */
export function outputTooLarge(what: string, maxBytes: number, fix: string): Outcome {
  const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`;
  return refused(
    OUTPUT_LIMIT_RULE,
    `${what} is larger than the ${limit} the broker reads of docker's output; nothing was done`,
    fix,
  );
}

/** The fix for a container listing over the cap: only an administrator can shrink it. */
export const STALE_CONTAINERS_FIX =
  'Ask an administrator to remove stale containers on this host (`docker ps -a`, then `docker rm` or `docker container prune`); then try again.';

export function allowed(exit: number, finalArgv: readonly string[], extra: Partial<Outcome> = {}): Outcome {
  return { exit, verdict: 'allowed', rules: [], finalArgv, ...extra };
}
