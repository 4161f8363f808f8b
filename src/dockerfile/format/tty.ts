// Compiler-style output: `file:line:col: severity rule-id: message`, the source line with a caret
// under the finding, then the fix.
import type { LintResult } from '../rule.js';

export interface TtyOptions {
  readonly color?: boolean;
}

const SGR = { error: '1;31', warning: '1;33', info: '1;36', dim: '2', bold: '1' } as const;

export function formatTty(result: LintResult, text: string, options: TtyOptions = {}): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const out: string[] = [];
  for (const f of result.findings) {
    out.push(
      `${paint(SGR.bold, `${result.file}:${f.line}:${f.column}:`)} ${paint(SGR[f.severity], f.severity)} ${paint(SGR.dim, f.rule)}: ${f.message}`,
    );
    const src = lines[f.line - 1];
    if (src !== undefined) {
      const num = String(f.line);
      const shown = src.replace(/\t/g, ' ');
      out.push(`  ${num} | ${shown}`);
      const width = Math.max(1, Math.min(f.length, shown.length - (f.column - 1)));
      out.push(
        `  ${' '.repeat(num.length)} | ${' '.repeat(Math.max(0, f.column - 1))}${paint(SGR[f.severity], '^' + '~'.repeat(width - 1))}`,
      );
    }
    out.push(`  ${paint(SGR.bold, 'fix:')} ${f.fix}`);
  }
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const e = count('error');
  const summary = `${result.file}: ${e} error${e === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info — ${result.approvable ? 'can be approved' : 'cannot be approved'}`;
  out.push(paint(result.approvable ? SGR.bold : SGR.error, summary));
  return out.join('\n');
}
