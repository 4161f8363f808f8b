// `--format json`: one object per file, one per line:
// {"file","approvable","findings":[{"rule","severity","line","column","message","fix"}]}.
import type { LintResult } from '../rule.js';

export function formatJson(result: LintResult): string {
  return JSON.stringify({
    file: result.file,
    approvable: result.approvable,
    findings: result.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      line: f.line,
      column: f.column,
      message: f.message,
      fix: f.fix,
    })),
  });
}
