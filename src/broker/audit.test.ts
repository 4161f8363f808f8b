import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { type AuditRecord, filterLog, formatRecord, openAuditLog, parseSince, redactArgv, redactUnparsed, REDACTED, secretsOf } from './audit.js';

const redact = (argv: string[]): string[] => redactArgv(argv, secretsOf(parseDockerArgv(argv)));

describe('redaction', () => {
  it('redacts every -e value in every spelling, keeping the names', () => {
    const argv = ['run', '-e', 'DB_PASSWORD=hunter2', '--env=API=tok1', '-eX=y9', '--env', 'EMPTY=', '-itd', 'img', 'echo', 'DB_PASSWORD=hunter2'];
    const out = redact(argv);
    expect(out.join(' ')).not.toMatch(/hunter2|tok1|y9/);
    expect(out).toEqual(['run', '-e', `DB_PASSWORD=${REDACTED}`, `--env=API=${REDACTED}`, `-eX=${REDACTED}`, '--env', 'EMPTY=', '-itd', 'img', 'echo', `DB_PASSWORD=${REDACTED}`]);
  });
  it('redacts login passwords however given', () => {
    for (const argv of [
      ['login', '-p', 's3cr3t!', '-u', 'me', 'reg:5000'],
      ['login', '--password=s3cr3t!', 'reg:5000'],
      ['login', '-ps3cr3t!', 'reg:5000'],
      ['login', '--password', 's3cr3t!', 'reg:5000'],
    ])
      expect(redact(argv).join(' ')).not.toContain('s3cr3t!');
  });
  it('redacts secret-looking build args only', () => {
    const argv = ['build', '--build-arg', 'NPM_TOKEN=abc123', '--build-arg', 'VERSION=1.2', '-'];
    expect(redact(argv)).toEqual(['build', '--build-arg', `NPM_TOKEN=${REDACTED}`, '--build-arg', 'VERSION=1.2', '-']);
  });
  it('redacts what it can of an argv that does not parse', () => {
    expect(redactUnparsed(['run', '--bogus', '-e', 'A=b', '--env=C=d', 'img'])).toEqual(['run', '--bogus', '-e', REDACTED, `--env=${REDACTED}`, 'img']);
  });
});

const record = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  time: '2024-05-01T12:00:00.000Z', uid: 1001, user: 'dev1', cwd: '/home/dev1', kind: 'docker', argv: ['ps'], verdict: 'allowed',
  rules: [], finalArgv: ['ps', '--filter=label=cida.uid=1001'], exit: 0, durationMs: 12, ...over,
});

describe('audit lines', () => {
  it('is one JSON object per line', () => {
    const line = formatRecord(record({ argv: ['run', 'a\nb'] }));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ time: '2024-05-01T12:00:00.000Z', uid: 1001, user: 'dev1', verdict: 'allowed', exit: 0, durationMs: 12 });
  });
  it('filters by user and time', () => {
    const text = [record(), record({ user: 'dev2', time: '2024-05-02T00:00:00.000Z' }), 'garbage\n', record({ time: '2024-04-01T00:00:00.000Z' })].map((r) => (typeof r === 'string' ? r : formatRecord(r))).join('');
    expect(filterLog(text, {}).length).toBe(3);
    expect(filterLog(text, { user: 'dev2' }).map((r) => r.user)).toEqual(['dev2']);
    expect(filterLog(text, { since: new Date('2024-04-15T00:00:00Z') }).length).toBe(2);
  });
  it('reads --since as a duration or an ISO date', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(parseSince('2h', now).toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(parseSince('7d', now).toISOString()).toBe('2024-04-24T12:00:00.000Z');
    expect(parseSince('2024-04-30', now).toISOString()).toBe('2024-04-30T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(/neither/);
  });
  it('never tears or loses a line when many processes append at once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-audit-'));
    const file = path.join(dir, 'sub', 'audit.jsonl');
    fs.closeSync(openAuditLog(file));
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o750);
    // 8 processes × 50 lines of ~9 KiB each, appended concurrently through the real function.
    const script = `
      import { openAuditLog, appendRecord } from ${JSON.stringify(path.resolve('src/broker/audit.ts'))};
      const fd = openAuditLog(process.argv[2]);
      for (let i = 0; i < 50; i++) appendRecord(fd, { time: new Date().toISOString(), uid: process.pid, user: 'p' + process.argv[3], cwd: '/', kind: 'docker', argv: ['x'.repeat(9000)], verdict: 'allowed', rules: [], finalArgv: [], exit: i, durationMs: 0 });
    `;
    const worker = path.join(dir, 'w.mjs');
    buildSync({ stdin: { contents: script, loader: 'ts', resolveDir: dir }, bundle: true, platform: 'node', format: 'esm', outfile: worker, logLevel: 'silent' });
    const procs = Array.from({ length: 8 }, (_, k) => `node ${worker} ${file} ${k} &`).join(' ');
    execFileSync('sh', ['-c', `${procs} wait`]);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(400);
    for (const l of lines) expect(JSON.parse(l).argv[0].length).toBe(9000);
    fs.rmSync(dir, { recursive: true });
  }, 60_000);
});
