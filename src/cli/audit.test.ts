import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../broker/audit.js';
import { formatRecords, noOutcomeLegend, pairRecords } from './audit.js';

const line = (over: Partial<AuditRecord>): AuditRecord => ({
  time: '2024-05-01T12:00:00.123Z',
  id: 'a',
  phase: 'decision',
  uid: 1001,
  user: 'dev1',
  kind: 'docker',
  claims: { cwd: '/home/dev1' },
  argv: ['ps'],
  verdict: 'allowed',
  rules: [],
  ...over,
});

describe('audit table', () => {
  const records = [
    line({ id: 'a', argv: ['run', 'img'] }),
    line({ id: 'b', argv: ['run', '--privileged', 'img'], verdict: 'refused', rules: ['privileged'] }),
    line({
      id: 'b',
      phase: 'outcome',
      argv: ['run', '--privileged', 'img'],
      verdict: 'refused',
      rules: ['privileged'],
      exit: 77,
      finalArgv: [],
      durationMs: 3,
    }),
    line({ id: 'c', argv: ['run', 'sleep'] }), // killed: no outcome
    line({
      id: 'a',
      phase: 'outcome',
      argv: ['run', 'img'],
      verdict: 'refused',
      rules: ['published-ports'],
      exit: 77,
      finalArgv: ['run', 'img'],
      durationMs: 900,
    }),
    {
      time: '2024-04-01T00:00:00.000Z',
      uid: 1,
      user: 'old',
      kind: 'docker',
      argv: ['ps'],
      verdict: 'allowed',
      rules: [],
      exit: 0,
    } as unknown as AuditRecord,
  ];

  it('shows one row per request: the outcome where there is one, the decision alone otherwise', () => {
    expect(pairRecords(records).map((r) => [r.record.id, r.record.phase, r.ended])).toEqual([
      ['a', 'outcome', true],
      ['b', 'outcome', true],
      ['c', 'decision', false],
      [undefined, undefined, true],
    ]);
    const table = formatRecords(records).split('\n');
    expect(table[0]).toMatch(/^TIME\s+USER\s+VERDICT\s+EXIT\s+RULES\s+COMMAND$/);
    expect(table[1]).toMatch(/^2024-05-01T12:00:00Z\s+dev1\s+refused\s+77\s+published-ports\s+docker run img$/);
    expect(table[3]).toMatch(/^\S+\s+dev1\s+allowed\s+-\s+-\s+docker run sleep$/);
    expect(table[4]).toMatch(/old\s+allowed\s+0\s/);
    expect(noOutcomeLegend(records)).toMatch(/no outcome/);
    expect(noOutcomeLegend(records.slice(1, 3))).toBeNull();
  });
});
