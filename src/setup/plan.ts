// Setup as a list of idempotent steps. Each step looks at the host as it is now and returns the
// changes it would make (none when the host is already right), so that `--dry-run` can print
// every change and a second run changes nothing.

export interface Change {
  /** What will change, in words an administrator can check: the path, owner, mode, command. */
  readonly describe: string;
  readonly apply: () => void;
}

export interface StepPlan {
  readonly changes: readonly Change[];
  /** Facts worth a line even when nothing changes ("policy exists, left as is"). */
  readonly notes?: readonly string[];
  /** Shown after the step has run (e.g. "restart dockerd to apply the new port range"). */
  readonly warnings?: readonly string[];
}

export interface Step {
  readonly title: string;
  readonly plan: () => StepPlan;
}

/** A precondition not met: setup stops before changing anything. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function change(describe: string, apply: () => void): Change {
  return { describe, apply };
}
