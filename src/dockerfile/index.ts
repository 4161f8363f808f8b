// The Dockerfile rulebook's registry and the in-process API: lintDockerfile(text, policy) runs
// every rule, applies the policy's severities (advisory rules only; an error rule cannot be
// lowered) and the author's `# cida-docker ignore=<id>` comments (advisory findings only).
// No UI library here: the broker and the approvals work call this directly.
import { PolicyError, type Policy } from '../policy/policy.js';
import { buildModel, type DockerfileModel, type Instruction } from './model.js';
import type { DockerfileRule, LintFinding, LintResult, RuleFinding, Severity } from './rule.js';
import { rule as parseError } from './rules/parse-error.js';
import { rule as untrustedSyntax } from './rules/untrusted-syntax.js';
import { rule as untrustedBase } from './rules/untrusted-base.js';
import { rule as latestTag } from './rules/latest-tag.js';
import { rule as rootUser } from './rules/root-user.js';
import { rule as remoteAdd } from './rules/remote-add.js';
import { rule as secretInEnv } from './rules/secret-in-env.js';
import { rule as curlPipeShell } from './rules/curl-pipe-shell.js';
import { rule as sudo } from './rules/sudo.js';
import { rule as worldWritable } from './rules/world-writable.js';
import { rule as packageCache } from './rules/package-cache.js';
import { rule as privilegedPort } from './rules/privileged-port.js';
import { rule as missingHealthcheck } from './rules/missing-healthcheck.js';
import { rule as userAfterCmd } from './rules/user-after-cmd.js';
import { rule as reservedLabel } from './rules/reserved-label.js';

export type { DockerfileRule, LintFinding, LintResult, Severity } from './rule.js';

/** Every Dockerfile rule, in the order the README lists them. */
export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  parseError,
  untrustedSyntax,
  untrustedBase,
  latestTag,
  rootUser,
  remoteAdd,
  secretInEnv,
  reservedLabel,
  curlPipeShell,
  sudo,
  worldWritable,
  packageCache,
  privilegedPort,
  missingHealthcheck,
  userAfterCmd,
];

const RULE_ORDER = new Map(DOCKERFILE_RULES.map((r, i) => [r.id, i]));

const severityCache = new WeakMap<Policy, ReadonlyMap<string, Severity | 'off'>>();

/**
 * Each rule's severity under the policy's `lint.severities`. Throws PolicyError (exit 78) for an
 * unknown rule id or an attempt to lower an error rule.
 */
export function ruleSeverities(policy: Policy): ReadonlyMap<string, Severity | 'off'> {
  const cached = severityCache.get(policy);
  if (cached) return cached;
  const out = new Map<string, Severity | 'off'>(DOCKERFILE_RULES.map((r) => [r.id, r.severity]));
  for (const [id, sev] of Object.entries(policy.lint.severities)) {
    const rule = DOCKERFILE_RULES.find((r) => r.id === id);
    if (!rule)
      throw new PolicyError(
        `policy key "lint.severities.${id}": no Dockerfile rule has that id (rules: ${DOCKERFILE_RULES.map((r) => r.id).join(', ')})`,
      );
    if (rule.severity === 'error' && sev !== 'error')
      throw new PolicyError(
        `policy key "lint.severities.${id}": ${id} blocks approval and cannot be lowered to ${sev}`,
      );
    out.set(id, sev);
  }
  severityCache.set(policy, out);
  return out;
}

const IGNORE = /^cida-docker\s+ignore\s*=\s*(.+)$/;

/** Rule ids the author asked to ignore, keyed by the instruction the comments stand above. */
function ignoresByInstruction(df: DockerfileModel): Map<Instruction, Set<string>> {
  const out = new Map<Instruction, Set<string>>();
  let c = 0;
  const comments = df.comments;
  let prevEnd = -1;
  for (const instr of df.instructions) {
    while (c < comments.length && comments[c].line < instr.line) {
      const cm = comments[c++];
      if (cm.line <= prevEnd) continue; // inside a continuation or heredoc of the previous one
      const m = IGNORE.exec(cm.text);
      if (!m) continue;
      let set = out.get(instr);
      if (!set) out.set(instr, (set = new Set()));
      for (const id of m[1].split(/[\s,]+/)) if (id) set.add(id);
    }
    prevEnd = instr.endLine;
  }
  return out;
}

export interface LintOptions {
  /** Name shown in the result and in output; '-' for stdin. */
  readonly file?: string;
  /** --build-arg values the build will pass: they replace ARG defaults. */
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** Lints one Dockerfile's text. Throws only PolicyError (bad lint.severities). */
export function lintDockerfile(text: string, policy: Policy, options: LintOptions = {}): LintResult {
  const severities = ruleSeverities(policy);
  const df = buildModel(text, options.buildArgs ? { buildArgs: options.buildArgs } : {});
  const ignores = ignoresByInstruction(df);
  const findings: LintFinding[] = [];
  for (const rule of DOCKERFILE_RULES) {
    const severity = severities.get(rule.id) ?? rule.severity;
    if (severity === 'off') continue;
    let found: RuleFinding[];
    try {
      found = rule.check(df, { policy });
    } catch (e) {
      // A bug must not let a Dockerfile through: it blocks approval and says so.
      findings.push({
        rule: rule.id,
        severity: 'error',
        line: 1,
        column: 1,
        length: 1,
        message: `internal error in rule ${rule.id}: ${(e as Error).message}`,
        fix: 'Report this as a bug of cida-docker.',
      });
      continue;
    }
    for (const f of found) {
      const ignored = f.instruction ? ignores.get(f.instruction)?.has(rule.id) : false;
      if (ignored && severity !== 'error') continue;
      findings.push({
        rule: rule.id,
        severity,
        line: f.line,
        column: f.column,
        length: Math.max(1, f.length ?? 1),
        message: ignored ? `${f.message} (an ignore comment cannot silence an error)` : f.message,
        fix: f.fix ?? rule.fix,
      });
    }
  }
  findings.sort(
    (a, b) => a.line - b.line || a.column - b.column || (RULE_ORDER.get(a.rule) ?? 0) - (RULE_ORDER.get(b.rule) ?? 0),
  );
  return { file: options.file ?? 'Dockerfile', approvable: !findings.some((f) => f.severity === 'error'), findings };
}
