// The broker launcher, run for real by dash with a fake "broker" (a node script that starts slowly,
// says which session it is in, and prints the signals it gets).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLauncher, launcherContent, launcherNode, launcherPathProblem } from './launcher.js';

const FAKE = `import fs from 'node:fs';
const end = Date.now() + Number(process.env.FAKE_DELAY ?? 0);
while (Date.now() < end) {} // a slow start: a signal delivered now would find its default action
const stat = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
console.log(JSON.stringify({ pid: process.pid, ppid: Number(stat[1]), sid: Number(stat[3]), tty: Number(stat[4]) }));
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', ...(process.env.FAKE_NO_QUIT ? [] : ['SIGQUIT'])])
  process.on(s, () => {
    console.log('got ' + s);
    if (s === 'SIGTERM') setTimeout(() => process.exit(143), 20);
  });
if (process.env.FAKE_STDIN) process.stdin.pipe(process.stdout);
else setTimeout(() => process.exit(Number(process.env.FAKE_CODE ?? 0)), Number(process.env.FAKE_RUN ?? 200));
`;

let dir: string;
let launcher: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-launcher-'));
  fs.writeFileSync(path.join(dir, 'fake.mjs'), FAKE);
  launcher = path.join(dir, 'broker');
  fs.writeFileSync(launcher, launcherContent(process.execPath, path.join(dir, 'fake.mjs')), { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Out {
  code: number | null;
  lines: string[];
  stderr: string;
  launcherPid: number;
}

/** Starts the launcher (as sudo would: every signal at its default), calls `during` once it runs. */
function start(env: Record<string, string>, during?: (pid: number) => Promise<void>, input?: string): Promise<Out> {
  const child = spawn(launcher, [], { env: { ...env, PATH: '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input ?? '');
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (c, s) => resolve(c ?? (s ? 128 + os.constants.signals[s] : null))),
  );
  return (async () => {
    if (during) await during(child.pid!);
    const code = await closed;
    return { code, lines: stdout.split('\n').filter(Boolean), stderr, launcherPid: child.pid! };
  })();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const { SIGKILL, SIGSTOP, SIGCHLD, SIGTERM } = os.constants.signals;

/**
 * Every signal a caller could have sudo relay, except TERM (sent last, on purpose). 32 and 33 are
 * glibc's own: no shell can ignore them, and sudo, which does not catch them, dies of them itself.
 */
function flood(pid: number): void {
  for (let n = 1; n <= 64; n++) {
    if ([SIGKILL, SIGSTOP, SIGCHLD, SIGTERM, 32, 33].includes(n)) continue;
    process.kill(pid, n as unknown as NodeJS.Signals);
  }
}

describe('broker launcher', () => {
  it('is plain POSIX sh that dash accepts, with the paths baked in', () => {
    const text = fs.readFileSync(launcher, 'utf8');
    expect(spawnSync('dash', ['-n', launcher]).status).toBe(0);
    expect(isLauncher(text)).toBe(true);
    expect(launcherNode(text)).toBe(process.execPath);
    expect(text).toContain(`bundle='${path.join(dir, 'fake.mjs')}'`);
    expect(isLauncher('#!/usr/bin/node\nimport x from "y";\n')).toBe(false);
  });

  it('refuses paths a shell would read specially', () => {
    for (const bad of ["/opt/no'de", '/opt/$(id)', 'node', '/opt/a b', '/opt/x\n']) {
      expect(launcherPathProblem(bad)).toBeDefined();
      expect(() => launcherContent(bad, '/x.mjs')).toThrow(/plain characters/);
    }
    expect(launcherPathProblem('/usr/local/bin/node-20.19_1+x')).toBeUndefined();
  });

  it("exits with the broker's code, passes stdin through, and starts it in its own session with no terminal", async () => {
    const r = await start({ FAKE_CODE: '7' });
    expect(r.code).toBe(7);
    const info = JSON.parse(r.lines[0]) as { pid: number; ppid: number; sid: number; tty: number };
    expect(info.sid).toBe(info.pid);
    expect(info.tty).toBe(0);
    expect(info.ppid).toBe(r.launcherPid);
    const echo = await start({ FAKE_STDIN: '1' }, undefined, 'typed\n');
    expect(echo.code).toBe(0);
    expect(echo.lines).toContain('typed');
  });

  it('during a slow start: ignores every other signal, holds INT/HUP/QUIT/TERM until the broker listens, then relays them', async () => {
    const r = await start({ FAKE_DELAY: '600', FAKE_RUN: '3000' }, async (pid) => {
      await sleep(150); // the fake is busy starting: its signals are still at their defaults
      flood(pid);
      process.kill(pid, 'SIGTERM');
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(143);
    expect(r.lines.filter((l) => l.startsWith('got ')).sort()).toEqual([
      'got SIGHUP',
      'got SIGINT',
      'got SIGQUIT',
      'got SIGTERM',
    ]);
  });

  it('while the broker runs: the same', async () => {
    const r = await start({ FAKE_RUN: '3000' }, async (pid) => {
      await sleep(700);
      flood(pid);
      await sleep(200);
      process.kill(pid, 'SIGTERM');
    });
    expect(r.code).toBe(143);
    expect(r.lines.filter((l) => l.startsWith('got ')).sort()).toEqual([
      'got SIGHUP',
      'got SIGINT',
      'got SIGQUIT',
      'got SIGTERM',
    ]);
  });

  it('never delivers to a broker that does not listen yet; exits with its code when it ends', async () => {
    const r = await start({ FAKE_NO_QUIT: '1', FAKE_RUN: '700', FAKE_CODE: '5' }, async (pid) => {
      await sleep(300);
      process.kill(pid, 'SIGTERM');
    });
    expect(r.code).toBe(5);
    expect(r.lines.filter((l) => l.startsWith('got '))).toEqual([]);
  });
});
