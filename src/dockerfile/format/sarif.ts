// SARIF 2.1.0 (OASIS), the format CI systems read to show findings inline. One run, the whole
// rulebook as the driver's rules, one result per finding.
import { DOCKERFILE_RULES } from '../index.js';
import type { LintResult, Severity } from '../rule.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A relative URI reference for a file name as given ('-' is stdin). */
function uriOf(file: string): string {
  const p = file === '-' ? 'stdin' : file.replace(/\\/g, '/');
  const abs = p.startsWith('/');
  const enc = p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return abs ? `file://${enc}` : enc;
}

export function formatSarif(results: readonly LintResult[], tool: { version: string }): string {
  const index = new Map(DOCKERFILE_RULES.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cida-docker',
            semanticVersion: tool.version,
            rules: DOCKERFILE_RULES.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.reason },
              help: { text: `${r.reason}\nFix: ${r.fix}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        results: results.flatMap((res) =>
          res.findings.map((f) => ({
            ruleId: f.rule,
            ...(index.has(f.rule) && { ruleIndex: index.get(f.rule) }),
            level: LEVEL[f.severity],
            message: { text: `${f.message}. Fix: ${f.fix}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: uriOf(res.file) },
                  region: { startLine: f.line, startColumn: f.column, endColumn: f.column + f.length },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
