// `cida-docker audit [--user U] [--since T] [--json]`: the audit trail, read through the broker
// (the log is root's), for policy admins and reviewers.
import type { AuditRecord } from '../broker/audit.js';
import { callBroker } from './broker-client.js';
import { shellQuote } from './check.js';
import { EXIT } from '../exit-codes.js';
import { OwnFlagError, splitOwnFlags } from './own-flags.js';

export const AUDIT_FLAGS = { booleans: ['json'], values: ['user', 'since'] } as const;

export function formatRecords(records: readonly AuditRecord[]): string {
  const rows = records.map((r) => [
    r.time.replace(/\.\d+Z$/, 'Z'),
    r.user,
    r.verdict,
    String(r.exit),
    r.rules.join(',') || '-',
    [r.kind === 'audit' ? 'cida-docker' : 'docker', ...r.argv].map(shellQuote).join(' '),
  ]);
  const head = ['TIME', 'USER', 'VERDICT', 'EXIT', 'RULES', 'COMMAND'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export async function runAudit(argv: readonly string[]): Promise<number> {
  let own;
  try {
    own = splitOwnFlags(argv, AUDIT_FLAGS);
  } catch (e) {
    if (!(e instanceof OwnFlagError)) throw e;
    process.stderr.write(`cida-docker audit: ${e.message}\n`);
    return EXIT.usage;
  }
  if (own.rest.length > 0) {
    process.stderr.write(`cida-docker audit: unexpected argument ${own.rest[0]}\nUsage: cida-docker audit [--user USER] [--since 2h|2024-05-01] [--json]\n`);
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
  const records = stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditRecord);
  process.stdout.write(formatRecords(records));
  return code;
}
