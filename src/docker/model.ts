// The typed model of a docker command line, as the docker CLI itself reads it.

/** One flag of the docker CLI, as registered in its source (see flag-table.ts). */
export interface FlagSpec {
  /** Name without the leading `--`; matching is exact and case-sensitive. */
  readonly long: string;
  /** One-letter shorthand without the leading `-`, or null. */
  readonly short: string | null;
  /** pflag's Value.Type(): bool, string, int, list, map, mount, network, bytes, … */
  readonly type: string;
  /** Go type of the value (opts.MemBytes, opts.UlimitOpt, …): decides how docker validates it. */
  readonly goType: string;
  /** False only for bool flags, which never consume the next argv element. */
  readonly takesValue: boolean;
  /** True when each occurrence accumulates; false when the last occurrence wins. */
  readonly repeatable: boolean;
  readonly hidden: boolean;
  readonly deprecated: boolean;
  /** A hidden alias writing into the same variable as the named flag (`--net` → `network`). */
  readonly aliasOf?: string;
  readonly shorthandDeprecated?: boolean;
}

export interface CommandSpec {
  /** Canonical name: `run`, `ps`, `rm`, … */
  readonly name: string;
  /** False: flag parsing stops at the first positional (run, exec, tag, top, …). */
  readonly interspersed: boolean;
  /** Cobra's positional-argument rule, e.g. `cli.RequiresMinArgs(1)`. */
  readonly argsRule: string;
  /** Every spelling of the command words after `docker`: [['container','run'], ['run']]. */
  readonly aliases: readonly (readonly string[])[];
  readonly flags: readonly FlagSpec[];
}

/**
 * Flag values keyed by canonical long name, in first-seen order. Bool values are normalised to
 * "true"/"false". A scalar flag keeps only its last value (last wins, as in pflag); a repeatable
 * flag keeps every occurrence's raw value in order (comma-separated lists are not split here).
 */
export type FlagValues = Record<string, string[]>;

export interface ParsedCommand {
  /** Global flags given before the command name (`-H`, `--config`, `-D`, …). */
  readonly globals: FlagValues;
  /** The command words as typed: ['container', 'run']. Empty for a bare `docker -v`. */
  readonly words: string[];
  /** Canonical command name from the table, or null when docker has no such command in our table. */
  readonly command: string | null;
  /** Flags of the command (empty when `command` is null: an unknown command is not parsed). */
  readonly flags: FlagValues;
  /** Positionals after the flags: for run `[image, ...containerCommand]`, for exec `[container, ...]`. */
  readonly args: string[];
}

/** The last value given for a flag (scalar flags hold one), or undefined when absent. */
export function lastValue(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return v === undefined ? undefined : v[v.length - 1];
}

/** True when a bool flag was given and its final value is true. */
export function isSet(values: FlagValues, name: string): boolean {
  return lastValue(values, name) === 'true';
}

/** A command line docker itself would reject while parsing: exit 2 for us, with docker's wording. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command words, for docker's "See 'docker run --help'." hint. */
    readonly words: readonly string[] = [],
  ) {
    super(message);
  }
}
