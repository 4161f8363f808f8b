import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { UsageError } from '../docker/model.js';
import {
  type AuditRecord,
  AuditTrail,
  filterLog,
  formatRecord,
  openAuditLog,
  parseSince,
  redact,
  redactArgv,
  REDACTED,
  safeNote,
  usageNote,
} from './audit.js';

const redactParsed = (argv: string[]): string[] => {
  parseDockerArgv(argv); // these argvs parse: the redaction of a good argv
  return redactArgv(argv);
};

describe('redaction by parsing', () => {
  it('redacts every -e value in every spelling, keeping the names', () => {
    const argv = [
      'run',
      '-e',
      'DB_PASSWORD=hunter2',
      '--env=API=tok1',
      '-eX=y9',
      '--env',
      'EMPTY=',
      '-itd',
      'img',
      'echo',
      'DB_PASSWORD=hunter2',
    ];
    const out = redactParsed(argv);
    expect(out.join(' ')).not.toMatch(/hunter2|tok1|y9/);
    expect(out).toEqual([
      'run',
      '-e',
      `DB_PASSWORD=${REDACTED}`,
      `--env=API=${REDACTED}`,
      `-eX=${REDACTED}`,
      '--env',
      'EMPTY=',
      '-itd',
      'img',
      'echo',
      `DB_PASSWORD=${REDACTED}`,
    ]);
  });
  it('redacts login passwords however given, and nothing else', () => {
    const cases: [string[], string[]][] = [
      [
        ['login', '-p', 's3cr3t!', '-u', 'me', 'reg:5000'],
        ['login', '-p', REDACTED, '-u', 'me', 'reg:5000'],
      ],
      [
        ['login', '--password=s3cr3t!', 'reg:5000'],
        ['login', `--password=${REDACTED}`, 'reg:5000'],
      ],
      [
        ['login', '-ps3cr3t!', 'reg:5000'],
        ['login', `-p${REDACTED}`, 'reg:5000'],
      ],
      [
        ['login', '-p=s3cr3t!', 'reg:5000'],
        ['login', `-p=${REDACTED}`, 'reg:5000'],
      ],
      [
        ['login', '-ups3cr3t!', 'reg:5000'],
        ['login', '-ups3cr3t!', 'reg:5000'],
      ], // -u takes "ps3cr3t!": a user name
      [
        ['login', '--password', 's3cr3t!', 'reg:5000'],
        ['login', '--password', REDACTED, 'reg:5000'],
      ],
      [
        ['--debug', 'login', 'reg:5000', '-p', 's3cr3t!'],
        ['--debug', 'login', 'reg:5000', '-p', REDACTED],
      ],
    ];
    for (const [argv, want] of cases) expect(redactArgv(argv), argv.join(' ')).toEqual(want);
  });
  it('a one-letter password changes nothing but itself (no substring replacement)', () => {
    expect(redactArgv(['login', '-u', 'e', '-p', 'e', 'registry.example.internal'])).toEqual([
      'login',
      '-u',
      'e',
      '-p',
      REDACTED,
      'registry.example.internal',
    ]);
    expect(redactArgv(['run', '-e', 'A=e', 'img', 'echo', 'e'])).toEqual([
      'run',
      '-e',
      `A=${REDACTED}`,
      'img',
      'echo',
      'e',
    ]);
  });
  it('an -e after the image belongs to the container command, -e= and -e =x are values', () => {
    expect(redactArgv(['run', 'img', '-e', 'X=1'])).toEqual(['run', 'img', '-e', 'X=1']);
    expect(redactArgv(['run', '-e', '=x1', 'img'])).toEqual(['run', '-e', `=${REDACTED}`, 'img']);
    expect(redactArgv(['exec', '-e=K=v1', 'c', 'sh'])).toEqual(['exec', `-e=K=${REDACTED}`, 'c', 'sh']);
    expect(redactArgv(['run', '-ite', 'K=v1', 'img'])).toEqual(['run', '-ite', `K=${REDACTED}`, 'img']);
    expect(redactArgv(['run', '--', 'img', 'DB_TOKEN=abc'])).toEqual(['run', '--', 'img', `DB_TOKEN=${REDACTED}`]);
    expect(redactArgv(['run', 'img', 'sh', '-c', 'export API_KEY=k1; echo "TOKEN=t1" --password=p1 x=1'])).toEqual([
      'run',
      'img',
      'sh',
      '-c',
      `export API_KEY=${REDACTED}; echo "TOKEN=${REDACTED}" --password=${REDACTED} x=1`,
    ]);
  });
  it('redacts secret-looking build args, --secret, and a value given to a bool flag', () => {
    expect(redactArgv(['build', '--build-arg', 'NPM_TOKEN=abc123', '--build-arg', 'VERSION=1.2', '-'])).toEqual([
      'build',
      '--build-arg',
      `NPM_TOKEN=${REDACTED}`,
      '--build-arg',
      'VERSION=1.2',
      '-',
    ]);
    expect(redactArgv(['build', '--secret', 'id=x,env=TOKEN', '-'])).toEqual(['build', '--secret', REDACTED, '-']);
    expect(redactArgv(['login', '--password-stdin=hunter2', 'reg'])).toEqual([
      'login',
      `--password-stdin=${REDACTED}`,
      'reg',
    ]);
    expect(redactArgv(['run', '-d=hunter2', 'img'])).toEqual(['run', `-d=${REDACTED}`, 'img']);
    // A bool's own values stay readable: --privileged=1 is what the reader of the audit wants to see.
    expect(redactArgv(['run', '--privileged=1', '--rm=false', 'img'])).toEqual([
      'run',
      '--privileged=1',
      '--rm=false',
      'img',
    ]);
  });
  it('usage errors: what may be a secret goes, conservatively', () => {
    const cases: [string[], string[]][] = [
      [
        ['login', '-phunter2', '--bogus', 'reg'],
        ['login', `-p${REDACTED}`, '--bogus', REDACTED],
      ],
      [
        ['login', '--pasword', 'hunter2', 'reg'],
        ['login', '--pasword', REDACTED, 'reg'],
      ],
      [
        ['login', '--pasword=hunter2', 'reg'],
        ['login', `--pasword=${REDACTED}`, 'reg'],
      ],
      [
        ['login', '-Xhunter2', 'reg'],
        ['login', `-X${REDACTED}`, 'reg'],
      ],
      [
        ['login', '--=hunter2'],
        ['login', `--${REDACTED}`],
      ],
      [
        ['login', '-p'],
        ['login', '-p'],
      ],
      [
        ['run', '--bogus', 'img', '-e', 'A=hunter2', '-phunter2', 'B=hunter2'],
        ['run', '--bogus', REDACTED, '-e', REDACTED, `-p${REDACTED}`, `B=${REDACTED}`],
      ],
      [
        ['--bogus', 'login', '-p', 'hunter2'],
        ['--bogus', 'login', '-p', REDACTED],
      ],
    ];
    for (const [argv, want] of cases) {
      expect(() => parseDockerArgv(argv), argv.join(' ')).toThrow(UsageError);
      expect(redactArgv(argv), argv.join(' ')).toEqual(want);
    }
  });
  it('a command docker does not have keeps its words and bare flag names only', () => {
    expect(redactArgv(['logn', '-p', 'hunter2', '--password', '-phunter2', 'x=hunter2'])).toEqual([
      'logn',
      '-p',
      REDACTED,
      '--password',
      REDACTED,
      REDACTED,
    ]);
    expect(redactArgv(['container', 'frob', '-e', 'hunter2'])).toEqual(['container', 'frob', '-e', REDACTED]);
  });
  it('reports what it took out, so that notes can be kept clean of it', () => {
    const r = redact(['login', '-p', 'hunter2', 'reg']);
    expect(r.removed).toEqual(['hunter2']);
    expect(safeNote('create failed', [r])).toBe('create failed');
    expect(safeNote('bad password: hunter2', [r])).toMatch(/withheld/);
    expect(safeNote(undefined, [r])).toBeUndefined();
    // A short secret withholds every note, so that what is withheld tells nothing about its letters.
    const short = redact(['login', '-p', 'e', 'reg']);
    expect(safeNote('create failed', [short])).toMatch(/withheld/);
    expect(safeNote('xyz', [short])).toMatch(/withheld/);
  });
  it("a usage note names the kind of error, never the user's text", () => {
    const note = (argv: string[]): string => {
      try {
        parseDockerArgv(argv);
      } catch (e) {
        return usageNote(e as UsageError);
      }
      throw new Error('parsed');
    };
    expect(note(['login', '--password-stdin=hunter2', 'r'])).toBe('invalid value for --password-stdin');
    expect(note(['login', '-Zhunter2'])).toBe('unknown shorthand flag');
    expect(note(['login', '--hunter2'])).toBe('unknown flag');
    expect(note(['run', '-e', '=hunter2', 'img'])).not.toContain('hunter2');
    expect(note(['run'])).toBe("docker: 'docker run' requires at least 1 argument");
    expect(note(['run', '--memory', 'hunter2', 'img'])).toBe('invalid value for -m, --memory');
    expect(note(['image', 'hunter2'])).toBe('unknown command under image');
    expect(note(['container', 'inspect'])).toBe("docker: 'docker container inspect' requires at least 1 argument");
    expect(usageNote(new UsageError('anything else: hunter2'))).toBe('usage error');
  });
});

const record = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  time: '2024-05-01T12:00:00.000Z',
  id: '0123456789abcdef',
  phase: 'outcome',
  uid: 1001,
  user: 'dev1',
  kind: 'docker',
  claims: { cwd: '/home/dev1' },
  argv: ['ps'],
  verdict: 'allowed',
  rules: [],
  finalArgv: ['ps', '--filter=label=cida.uid=1001'],
  exit: 0,
  durationMs: 12,
  ...over,
});

describe('audit lines', () => {
  it('is one JSON object per line', () => {
    const line = formatRecord(record({ argv: ['run', 'a\nb'] }));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      time: '2024-05-01T12:00:00.000Z',
      uid: 1001,
      user: 'dev1',
      verdict: 'allowed',
      exit: 0,
      durationMs: 12,
    });
  });
  it('filters by user and time', () => {
    const text = [
      record(),
      record({ user: 'dev2', time: '2024-05-02T00:00:00.000Z' }),
      'garbage\n',
      record({ time: '2024-04-01T00:00:00.000Z' }),
    ]
      .map((r) => (typeof r === 'string' ? r : formatRecord(r)))
      .join('');
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
      for (let i = 0; i < 50; i++) appendRecord(fd, { time: new Date().toISOString(), id: 'x', phase: 'outcome', uid: process.pid, user: 'p' + process.argv[3], claims: {}, kind: 'docker', argv: ['x'.repeat(9000)], verdict: 'allowed', rules: [], finalArgv: [], exit: i, durationMs: 0 });
    `;
    const worker = path.join(dir, 'w.mjs');
    buildSync({
      stdin: { contents: script, loader: 'ts', resolveDir: dir },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: worker,
      logLevel: 'silent',
    });
    const procs = Array.from({ length: 8 }, (_, k) => `node ${worker} ${file} ${k} &`).join(' ');
    execFileSync('sh', ['-c', `${procs} wait`]);
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBe(400);
    for (const l of lines) expect(JSON.parse(l).argv[0].length).toBe(9000);
    fs.rmSync(dir, { recursive: true });
  }, 60_000);
});

describe('decision and outcome lines', () => {
  const tmpLog = (): { file: string; fd: number; lines: () => AuditRecord[] } => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-trail-'));
    const file = path.join(dir, 'audit.jsonl');
    const fd = openAuditLog(file);
    return { file, fd, lines: () => filterLog(fs.readFileSync(file, 'utf8'), {}) };
  };
  const who = { uid: 1001, user: 'dev1' };

  it('writes the decision before acting and the outcome at the end, paired by id, claims marked', () => {
    const log = tmpLog();
    const trail = new AuditTrail(log.fd, who, Date.parse('2024-05-01T12:00:00Z'));
    trail.decide({
      kind: 'docker',
      claims: { cwd: '/home/dev1', ciJob: 'j1' },
      argv: ['run', 'img'],
      verdict: 'allowed',
    });
    // A broker killed here leaves this much: the decision.
    expect(log.lines().map((l) => l.phase)).toEqual(['decision']);
    expect(log.lines()[0]).not.toHaveProperty('exit');
    trail.end(
      {
        exit: 77,
        verdict: 'refused',
        rules: ['published-ports'],
        finalArgv: ['run', '--detach', 'img'],
        container: 'c1',
      },
      { kind: 'docker', claims: {}, argv: [], verdict: 'error' },
    );
    const [d, o] = log.lines();
    expect(d).toMatchObject({
      id: trail.id,
      phase: 'decision',
      verdict: 'allowed',
      claims: { cwd: '/home/dev1', ciJob: 'j1' },
      argv: ['run', 'img'],
      time: '2024-05-01T12:00:00.000Z',
    });
    expect(o).toMatchObject({
      id: trail.id,
      phase: 'outcome',
      verdict: 'refused',
      rules: ['published-ports'],
      exit: 77,
      container: 'c1',
      argv: ['run', 'img'],
      finalArgv: ['run', '--detach', 'img'],
      time: d.time,
    });
    expect(d).not.toHaveProperty('cwd');
    expect(trail.id).toMatch(/^[0-9a-f]{16}$/);
    // One outcome per request, however often `end` is reached.
    trail.end({ exit: 0 }, { kind: 'docker', claims: {}, argv: [], verdict: 'error' });
    expect(log.lines().length).toBe(2);
  });

  it('an outcome without a decision first writes the fallback decision', () => {
    const log = tmpLog();
    const trail = new AuditTrail(log.fd, who);
    trail.end({ exit: 70, note: 'internal error' }, { kind: 'docker', claims: {}, argv: ['ps'], verdict: 'error' });
    expect(log.lines().map((l) => [l.phase, l.verdict, l.exit])).toEqual([
      ['decision', 'error', undefined],
      ['outcome', 'error', 70],
    ]);
    expect(() => trail.decide({ kind: 'docker', claims: {}, argv: [], verdict: 'allowed' })).toThrow();
  });
});
