// The shape of one rule of the rulebook, in the manner of ESLint rules and hadolint's DL codes:
// a stable id, a one-line title, the reason it exists, how to do the allowed thing instead.
import type { ParsedCommand } from '../docker/model.js';
import type { Policy } from '../policy/policy.js';

/** What a rule reports about one command; the registry adds the rule id. */
export interface Finding {
  /** What exactly was refused, naming the flag or value as the user wrote it. */
  readonly message: string;
  /** A fix specific to this finding; defaults to the rule's fix. */
  readonly fix?: string;
}

export interface Violation {
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
}

export interface Rule {
  /** Stable id, used in output, audit records and the README table: never renamed. */
  readonly id: string;
  readonly title: string;
  /** Why the rule exists: what would be handed out if it let the command through. */
  readonly reason: string;
  /** How to do the allowed thing instead. */
  readonly fix: string;
  /**
   * Checks a parsed command whose command is known (not null). Flags the flag table marks
   * `refuse` for this rule are refused by the registry already; `check` implements value checks
   * and anything that is not a flag (positionals, images). Never throws.
   */
  readonly check?: (cmd: ParsedCommand, policy: Policy) => Finding[];
}
