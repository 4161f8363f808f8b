// The shape of one Dockerfile rule, the same as the run rules (src/guards/rule.ts): a stable id, a
// one-line title, the reason it exists and how to do the allowed thing instead, plus a severity.
// `error` blocks approval and cannot be lowered by the policy or silenced by the author;
// `warning` and `info` advise.
import type { Policy } from '../policy/policy.js';
import type { DockerfileModel, Instruction } from './model.js';

export type Severity = 'error' | 'warning' | 'info';

/** What a rule reports; the registry adds the rule id and severity. Lines and columns are 1-based. */
export interface RuleFinding {
  /** The instruction the finding is about (ignore comments above it apply); absent = whole file. */
  readonly instruction?: Instruction;
  readonly line: number;
  readonly column: number;
  /** Length of the offending text on `line`, for carets and SARIF regions (at least 1). */
  readonly length?: number;
  readonly message: string;
  /** A fix specific to this finding; defaults to the rule's fix. */
  readonly fix?: string;
}

export interface RuleContext {
  readonly policy: Policy;
}

export interface DockerfileRule {
  /** Stable kebab-case id, used in output, ignore comments, the policy and the README: never renamed. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** Why the rule exists: what an approved Dockerfile would hand out if it let this through. */
  readonly reason: string;
  /** How to do the allowed thing instead. */
  readonly fix: string;
  /** Pure; never throws (the registry still guards it). */
  readonly check: (df: DockerfileModel, ctx: RuleContext) => RuleFinding[];
}

/** One finding as reported: JSON output keeps exactly rule, severity, line, column, message, fix. */
export interface LintFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly message: string;
  readonly fix: string;
}

export interface LintResult {
  readonly file: string;
  /** No error-severity finding: the Dockerfile may be approved (a reviewer still decides). */
  readonly approvable: boolean;
  readonly findings: readonly LintFinding[];
}
