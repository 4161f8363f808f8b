// `cida-docker audit [--user U] [--since T] [--json]`: the audit trail, read through the broker
// (the log is root's), for policy admins and reviewers.
import type { AuditRecord } from '../broker/audit.js';
import { callBroker } from './broker-client.js';
import { shellQuote } from './check.js';
import { EXIT } from '../exit-codes.js';
import { OwnFlagError, type OwnFlagSpec, parseOwnFlags } from './own-flags.js';

export const AUDIT_FLAGS: OwnFlagSpec = [
  { name: 'user', takesValue: true, description: 'only the decisions of this user' },
  { name: 'since', takesValue: true, description: 'only decisions since a duration ago (30m, 2h, 7d) or an ISO date' },
  {
    name: 'json',
    takesValue: false,
    description: 'print the lines as they are written: JSON, decision and outcome apart',
  },
];

/** One row per request: its outcome line, or its decision alone while no outcome was written. */
export interface RequestRow {
  readonly record: AuditRecord;
  /** False when only the decision is there: the broker still runs, or was killed. */
  readonly ended: boolean;
}

/** Pairs decision and outcome lines by request id, in the order the requests began to be logged. */
export function pairRecords(records: readonly AuditRecord[]): RequestRow[] {
  const rows: { record: AuditRecord; ended: boolean }[] = [];
  const byId = new Map<string, { record: AuditRecord; ended: boolean }>();
  for (const r of records) {
    // Lines written before decisions and outcomes were split have neither id nor phase: each is a whole request.
    const ended = r.phase !== 'decision';
    const known = r.id === undefined ? undefined : byId.get(r.id);
    if (known) {
      if (ended) {
        known.record = r;
        known.ended = true;
      }
      continue;
    }
    const row = { record: r, ended };
    rows.push(row);
    if (r.id !== undefined) byId.set(r.id, row);
  }
  return rows;
}

/** Shown in EXIT for a request with a decision and no outcome. */
export const NO_OUTCOME = '-';

export function formatRecords(records: readonly AuditRecord[]): string {
  const rows = pairRecords(records).map(({ record: r, ended }) => [
    r.time.replace(/\.\d+Z$/, 'Z'),
    r.user,
    r.verdict,
    ended ? String(r.exit ?? NO_OUTCOME) : NO_OUTCOME,
    r.rules.join(',') || '-',
    [r.kind === 'docker' ? 'docker' : 'cida-docker', ...r.argv].map(shellQuote).join(' '),
  ]);
  const head = ['TIME', 'USER', 'VERDICT', 'EXIT', 'RULES', 'COMMAND'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** The legend for rows without an outcome, when there are any (for stderr). */
export function noOutcomeLegend(records: readonly AuditRecord[]): string | null {
  return pairRecords(records).some((r) => !r.ended)
    ? `EXIT ${NO_OUTCOME}: the broker wrote its decision and no outcome yet (still running, or killed)\n`
    : null;
}

export async function runAudit(argv: readonly string[]): Promise<number> {
  let own;
  try {
    own = parseOwnFlags(argv, AUDIT_FLAGS);
  } catch (e) {
    if (!(e instanceof OwnFlagError)) throw e;
    process.stderr.write(`cida-docker audit: ${e.message}\n`);
    return EXIT.usage;
  }
  if (own.rest.length > 0) {
    process.stderr.write(
      `cida-docker audit: unexpected argument ${own.rest[0]}\nUsage: cida-docker audit [--user USER] [--since 2h|2024-05-01] [--json]\n`,
    );
    return EXIT.usage;
  }
  const { code, stdout = '' } = await callBroker(
    { v: 1, kind: 'audit', cwd: process.cwd(), user: own.values.get('user'), since: own.values.get('since') },
    { captureStdout: true },
  );
  if (code !== EXIT.ok) return code;
  if (own.booleans.has('json')) {
    process.stdout.write(stdout);
    return code;
  }
  const records = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
  process.stdout.write(formatRecords(records));
  const legend = noOutcomeLegend(records);
  if (legend !== null) process.stderr.write(legend);
  return code;
}
