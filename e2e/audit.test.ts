// The audit trail, for real (issue 8, finding 7): the installed CLI as cida-dev1, through sudo and
// the root broker. Secrets never reach the log in any spelling, usage errors are audited, every
// request has a decision and an outcome line paired by id, cwd/ciJob are the caller's claims, and a
// broker killed with SIGKILL mid-run still leaves its decision.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  asAsync,
  AUDIT,
  auditLines,
  docker,
  JOB,
  POLICY,
  REG,
  suiteContainers,
  writePolicy,
  brokerReady,
} from './broker-helpers.js';

const DEV1 = 'cida-dev1';
const ready = brokerReady();
/** A registry nobody listens on: login fails fast, and no credentials are stored. */
const NOWHERE = 'registry.example.internal:9';
const PW = `Pw-${process.pid}-${Date.now().toString(36)}`;
const BOGUS = `--bogus-${process.pid}`;

/** This suite's lines (the as() helper exports BUILD_TAG=JOB, which the broker records as a claim). */
const mine = (): Record<string, any>[] => auditLines().filter((l) => l.claims?.ciJob === JOB); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every root process below `pid` whose executable is node: the broker, wherever the launcher put it. */
function rootNodeBelow(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const below = (p: number): boolean => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) if (q === pid) return true;
    return false;
  };
  return [...parent.keys()].filter((p) => {
    try {
      return below(p) && fs.statSync(`/proc/${p}`).uid === 0 && /\/node[^/]*$/.test(fs.readlinkSync(`/proc/${p}/exe`));
    } catch {
      return false;
    }
  });
}

describe.runIf(ready)('audit trail end to end', () => {
  let savedPolicy: Buffer | null = null;
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy({ trustedRegistries: ['registry.example.internal:5000'], publishedPorts: { min: 49153, max: 65535 } });
  });
  afterAll(() => {
    for (const id of suiteContainers()) docker('rm', '-f', id);
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
  });

  it('a password never reaches the log, in any spelling, usage errors included', () => {
    const cases: [string[], number | null][] = [
      [['login', '-u', 'x', '-p', PW, NOWHERE], null],
      [['login', '-u', 'x', `-p${PW}`, NOWHERE], null],
      [['login', '-u', 'x', `-p=${PW}`, NOWHERE], null],
      [['login', '-u', 'x', `--password=${PW}`, NOWHERE], null],
      [['login', '-u', 'x', '--password', PW, NOWHERE], null],
      [['login', `-p${PW}`, '--bogus', NOWHERE], 2],
      [['login', `--password-stdin=${PW}`, NOWHERE], 2],
      [['login', '--pasword', PW, NOWHERE], 2],
      [['login', '-u', 'x', `-Z${PW}`, NOWHERE], 2],
      [['run', '-e', `=${PW}`, `${REG}/busybox:1`], 2],
      [['run', '-e', `K=${PW}`, '--bogus', `${REG}/busybox:1`], 2],
      [['run', '-d', '-e', `DB_PASSWORD=${PW}`, `${REG}/busybox:1`, 'sh', '-c', `echo TOKEN=${PW}`], 0],
    ];
    const before = mine().length;
    for (const [argv, status] of cases) {
      const r = as(DEV1, argv);
      if (status !== null) expect(r.status, argv.join(' ')).toBe(status);
      else expect(r.status, argv.join(' ')).not.toBe(0);
    }
    const text = fs.readFileSync(AUDIT, 'utf8');
    expect(text).not.toContain(PW);
    for (const log of ['/var/log/auth.log', '/var/log/sudo.log', '/var/log/syslog'])
      if (fs.existsSync(log)) expect(fs.readFileSync(log, 'utf8')).not.toContain(PW);
    const lines = mine().slice(before);
    expect(lines.length).toBe(2 * cases.length);
    const usage = lines.filter((l) => l.phase === 'outcome' && l.verdict === 'usage');
    expect(usage.length).toBe(cases.filter(([, s]) => s === 2).length);
    expect(lines.find((l) => l.phase === 'outcome' && l.argv[0] === 'login' && l.argv[1] === '-p***')?.argv).toEqual([
      'login',
      '-p***',
      '--bogus',
      '***',
    ]);
  });

  it('a one-letter password is redacted where it stands and nowhere else', () => {
    as(DEV1, ['login', '-u', 'e', '-p', 'e', NOWHERE]);
    const out = mine()
      .filter((l) => l.phase === 'outcome' && l.argv[0] === 'login')
      .pop();
    expect(out?.argv).toEqual(['login', '-u', 'e', '-p', '***', NOWHERE]);
  });

  it('a usage error stopped in the front end reaches the audit, with the same message once; claims are marked', () => {
    const r = as(DEV1, ['ps', BOGUS], { cwd: '/tmp' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cida-docker: unknown flag: ${BOGUS}\nSee 'cida-docker ps --help'.\n`);
    const [d, o] = mine().filter((l) => l.argv.join(' ') === `ps ${BOGUS}`);
    expect(d).toMatchObject({
      phase: 'decision',
      verdict: 'usage',
      note: 'unknown flag',
      user: DEV1,
      claims: { cwd: '/tmp', ciJob: JOB },
    });
    expect(o).toMatchObject({ phase: 'outcome', id: d.id, verdict: 'usage', exit: 2 });
    expect(d).not.toHaveProperty('cwd');
    expect(d).not.toHaveProperty('ciJob');
  });

  it('a broker killed (SIGKILL) during a foreground run still leaves its decision', async () => {
    const name = `cida-e2e-audit-kill-${process.pid}`;
    const { child, done } = asAsync(DEV1, ['run', '--rm', '--name', name, `${REG}/busybox:1`, 'sleep', '30']);
    try {
      for (let i = 0; i < 60 && docker('inspect', '--format', '{{.State.Running}}', name).stdout.trim() !== 'true'; i++)
        await new Promise((r) => setTimeout(r, 500));
      const brokers = rootNodeBelow(child.pid as number);
      expect(brokers.length).toBe(1);
      process.kill(brokers[0], 'SIGKILL');
      const r = await Promise.race([done, new Promise<null>((res) => setTimeout(() => res(null), 40_000))]);
      expect(r?.status).not.toBe(0);
      const lines = mine().filter((l) => l.argv.includes(name));
      expect(lines.map((l) => [l.phase, l.verdict])).toEqual([['decision', 'allowed']]);
      expect(lines[0].id).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      docker('rm', '-f', name);
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    }
  }, 90_000);

  it('cida-docker audit shows the killed request with EXIT "-" and the rest paired', () => {
    try {
      writePolicy({
        trustedRegistries: ['registry.example.internal:5000'],
        publishedPorts: { min: 49153, max: 65535 },
        reviewers: [DEV1],
      });
      const r = as(DEV1, ['audit', '--user', DEV1, '--since', '10m']);
      expect(r.status).toBe(0);
      const kill = r.stdout.split('\n').find((l) => l.includes(`cida-e2e-audit-kill-${process.pid}`));
      expect(kill).toMatch(/\sallowed\s+-\s+-\s+docker run --rm/);
      expect(r.stderr).toMatch(/no outcome/);
      const usage = r.stdout.split('\n').filter((l) => l.endsWith(` docker ps ${BOGUS}`));
      expect(usage.length).toBe(1);
      expect(usage[0]).toMatch(/\susage\s+2\s/);
      expect(r.stdout).not.toContain(PW);
    } finally {
      writePolicy({
        trustedRegistries: ['registry.example.internal:5000'],
        publishedPorts: { min: 49153, max: 65535 },
      });
    }
  });
});
