// Issue 8, findings 1-2: the caller may signal their own sudo process, and sudo relays what it
// gets to the program it started. As the real non-root user cida-dev1, against the real engine:
// flood the user's own sudo with every catchable signal (`kill -l` minus KILL and STOP) during
// start-up and during long verbs, and prove that no inspector opened (nothing new listens, no
// "Debugger listening"), no root node is left behind, every request still ends with its audit
// line, --rm containers are still removed, and containers ran as the user. Also: the caller cannot
// signal the launcher or the node broker directly, and TERM through sudo still stops a run cleanly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAsync, auditLines, docker, JOB, POLICY, REG, writePolicy } from './broker-helpers.js';
import { hostReady } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const BUNDLE = '/usr/local/lib/cida-docker/broker.mjs';
const ready = hostReady() && fs.existsSync(BUNDLE) && docker('info', '--format', '{{.ServerVersion}}').status === 0;
const IMAGE = `${REG}/busybox:1`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs a shell script as the user itself (their uid and groups, no root anywhere). */
function asUserSh(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    'setpriv',
    ['--reuid', DEV1, '--regid', DEV1, '--init-groups', '--', '/bin/sh', '-c', script, 'sh', ...args],
    { encoding: 'utf8', cwd: '/', timeout: 30_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Proc {
  pid: number;
  ppid: number;
  user: string;
  comm: string;
}

/** The process table as the user sees it: `ps -o pid,ppid,user,comm`. */
function procs(): Proc[] {
  return asUserSh('ps -eo pid=,ppid=,user=,comm=')
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([pid, ppid, user, comm]) => ({ pid: Number(pid), ppid: Number(ppid), user, comm }));
}

function descendants(root: number, table = procs()): Proc[] {
  const out: Proc[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const c of table.filter((x) => x.ppid === p)) {
      out.push(c);
      todo.push(c.pid);
    }
  }
  return out;
}

/** The sudo the user's cida-docker started (a child of the front end, below su). */
async function findSudo(suPid: number, timeoutMs = 20_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const sudo = descendants(suPid).find((p) => p.comm === 'sudo');
    if (sudo) return sudo.pid;
    await sleep(10);
  }
  throw new Error('no sudo process appeared');
}

/** The names of `pid`'s descendants, read from /proc as root (a ps as the user is too slow to poll). */
function descendantComms(pid: number): string[] {
  let kids: string[];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
  return kids.flatMap((c) => {
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${c}/comm`, 'utf8').trim();
    } catch {
      // gone already
    }
    return [comm, ...descendantComms(Number(c))];
  });
}

/** Waits (polling fast) until sudo has started the launcher, the command the sudo rule allows. */
async function launcherOf(sudo: number, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (descendantComms(sudo).includes('broker')) return;
    await sleep(5);
  }
  throw new Error('sudo did not start the broker launcher');
}

// Every signal `kill -l` lists but KILL (9) and STOP (19), in an order that lets each reach as far
// as it can: first those sudo relays without ending the request (CONT again after the stopping
// ones), then, for the start-up floods, those that end it: INT, HUP, QUIT, TERM, and ALRM (sudo
// takes ALRM for its command timeout: it sends the launcher HUP, TERM, then KILL), then those sudo
// does not catch (the first of them kills sudo itself; the broker must carry on).
const RELAYED_BY_SUDO = [10, 12, 13, 17, 18, 20, 21, 22, 28, 23, 18];
const ENDING = [2, 1, 3, 15, 14];
const KILL_SUDO = [4, 5, 6, 7, 8, 11, 16, 24, 25, 26, 27, 29, 30, 31, ...Array.from({ length: 31 }, (_, i) => 34 + i)];

/** Sends the signals, one by one, as the user, to `pid`; returns those the kernel refused (not ESRCH). */
function flood(pid: number, signals: number[]): string {
  const script =
    'p=$1; shift; for s; do out=$(kill -"$s" "$p" 2>&1) || case $out in *"No such process"*) ;; *) echo "$s: $out" ;; esac; done';
  return asUserSh(script, String(pid), ...signals.map(String)).stdout;
}

/** TCP listeners: ss lines, with their processes. */
function listeners(): string[] {
  return spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** Root node processes running the broker bundle. */
function rootBrokers(): string[] {
  return spawnSync('ps', ['-eo', 'pid=,user=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => /^\s*\d+\s+root\s+\S*node\S*\s.*broker\.mjs/.test(l));
}

/** New listeners since `before` that belong to a broker, or sit on the inspector's port. */
function inspectorListeners(before: string[]): string[] {
  const pids = rootBrokers().map((l) => l.trim().split(/\s+/)[0]);
  return listeners().filter(
    (l) => !before.includes(l) && (/:9229\b/.test(l) || pids.some((p) => l.includes(`pid=${p},`)) || /"node"/.test(l)),
  );
}

let n = 0;
const tags: string[] = [];
/** A fresh CI tag per request: its audit lines and containers are found by it. */
function tag(): string {
  const t = `${JOB}-sig${++n}`;
  tags.push(t);
  return t;
}

function containersOf(t: string): string[] {
  return docker('ps', '-a', '-q', '--no-trunc', '--filter', `label=cida.ci-job=${t}`)
    .stdout.split('\n')
    .filter(Boolean);
}

/** The line that ends the request tagged `t` (the outcome, with its exit code). */
function endLines(t: string): Record<string, unknown>[] {
  return auditLines().filter(
    (l) => JSON.stringify(l).includes(`"${t}"`) && typeof l.exit === 'number' && l.phase !== 'decision',
  );
}

async function until(what: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(200);
  }
}

/** A detached container of dev1's that lives `secs` seconds (for logs -f, wait, exec). */
async function background(secs: number): Promise<{ id: string; t: string }> {
  const t = tag();
  const { done } = asAsync(DEV1, ['run', '-d', IMAGE, 'sh', '-c', `echo up; sleep ${secs}`], { env: { BUILD_TAG: t } });
  const r = await done;
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { id: r.stdout.trim(), t };
}

interface Case {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/**
 * Starts `args` as dev1, floods its sudo at `when` (start-up: as soon as sudo exists; running:
 * after `afterMs`), checks for an inspector while the broker still runs, and waits for the end.
 */
async function flooded(args: string[], t: string, when: 'start-up' | 'running', afterMs = 1500): Promise<Case> {
  const before = listeners();
  const { child, done } = asAsync(DEV1, args, { env: { BUILD_TAG: t } });
  const sudo = await findSudo(child.pid!);
  if (when === 'running') await sleep(afterMs);
  // Start-up means the broker's: a flood before sudo has run the launcher may kill sudo before it
  // runs anything (no request, no audit line; on a loaded machine that window is wide).
  else await launcherOf(sudo);
  const refused = flood(
    sudo,
    when === 'start-up' ? [...RELAYED_BY_SUDO, ...ENDING, ...KILL_SUDO] : [...RELAYED_BY_SUDO, ...KILL_SUDO],
  );
  expect(refused).toBe('');
  await sleep(500);
  expect(inspectorListeners(before)).toEqual([]);
  const r = await done;
  expect(r.stderr).not.toMatch(/Debugger listening|inspector/i);
  expect(inspectorListeners(before)).toEqual([]);
  await until(() => rootBrokers().length === 0, 20_000);
  // One outcome line: a failure shows what the audit trail holds for the request.
  await until(() => endLines(t).length >= 1, 10_000).catch(() => undefined);
  expect({ status: r.status, stderr: r.stderr.slice(-2000), ends: endLines(t) }).toMatchObject({
    ends: [expect.anything()],
  });
  return r;
}

let savedPolicy: Buffer | null = null;

describe.runIf(ready)('signals from the caller', () => {
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy({ trustedRegistries: ['registry.example.internal:5000'], publishedPorts: { min: 49153, max: 65535 } });
    expect(rootBrokers()).toEqual([]);
  });
  afterAll(() => {
    for (const t of tags) for (const id of containersOf(t)) docker('rm', '-f', id);
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
  });

  it('the caller cannot signal the launcher or the node broker, which runs in a session of its own with no terminal', async () => {
    const t = tag();
    const { child, done } = asAsync(DEV1, ['run', '--rm', IMAGE, 'sh', '-c', 'sleep 4'], { env: { BUILD_TAG: t } });
    const sudo = await findSudo(child.pid!);
    let node: Proc | undefined;
    let launcher: Proc | undefined;
    await until(() => {
      const below = descendants(sudo);
      launcher = below.find((p) => p.ppid === sudo);
      node = below.find((p) => p.ppid === launcher?.pid && p.comm === 'node');
      return node !== undefined;
    }, 20_000);
    expect(launcher).toMatchObject({ user: 'root', comm: 'broker' });
    expect(node).toMatchObject({ user: 'root' });
    for (const pid of [launcher!.pid, node!.pid]) {
      const r = asUserSh('kill -USR1 "$1"', String(pid));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Operation not permitted/);
    }
    const stat = fs.readFileSync(`/proc/${node!.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    expect(Number(stat[3])).toBe(node!.pid); // session id: its own
    expect(Number(stat[4])).toBe(0); // no controlling terminal
    const r = await done;
    expect(r.status).toBe(0);
    await until(() => endLines(t).length === 1, 10_000);
  });

  it('run (foreground, --rm): a flood during start-up ends the request with its audit line, removes the container, opens nothing', async () => {
    const t = tag();
    await flooded(['run', '--rm', IMAGE, 'sh', '-c', 'id -u; sleep 5'], t, 'start-up');
    await until(() => containersOf(t).length === 0, 20_000);
  });

  it('run (foreground, --rm): a flood while it runs changes nothing; it ends as the user, audited, removed', async () => {
    const t = tag();
    const r = await flooded(['run', '--rm', IMAGE, 'sh', '-c', 'id -u; sleep 6; echo finished'], t, 'running', 2500);
    expect(r.stdout).toMatch(/^1000$/m);
    expect(r.stdout).toContain('finished');
    expect(endLines(t)[0].exit).toBe(0);
    await until(() => containersOf(t).length === 0, 20_000);
  });

  it('logs -f: a flood while it follows changes nothing; it ends with the container, audited', async () => {
    const { id } = await background(6);
    const t = tag();
    const r = await flooded(['logs', '-f', id.slice(0, 12)], t, 'running');
    expect(r.stdout).toContain('up');
    expect(endLines(t)[0].exit).toBe(0);
  });

  it('wait: a flood while it waits changes nothing; it ends with the container, audited', async () => {
    const { id } = await background(6);
    const t = tag();
    const r = await flooded(['wait', id.slice(0, 12)], t, 'running');
    expect(r.stdout.trim()).toBe('0');
    expect(endLines(t)[0].exit).toBe(0);
  });

  it('exec … sleep: floods during start-up and while it runs change nothing; it runs as the user, audited', async () => {
    const { id } = await background(20);
    const t1 = tag();
    await flooded(['exec', id.slice(0, 12), 'sh', '-c', 'id -u; sleep 3'], t1, 'start-up');
    const t2 = tag();
    const r = await flooded(['exec', id.slice(0, 12), 'sh', '-c', 'id -u; sleep 5; echo finished'], t2, 'running');
    expect(r.stdout).toMatch(/^1000$/m);
    expect(r.stdout).toContain('finished');
    expect(endLines(t2)[0].exit).toBe(0);
  });

  it("ALRM: sudo's own timeout HUPs, TERMs, then KILLs the launcher; the broker, in its own session, still ends with its audit line", async () => {
    const { id } = await background(8);
    const t = tag();
    const before = listeners();
    const { child, done } = asAsync(DEV1, ['logs', '-f', id.slice(0, 12)], { env: { BUILD_TAG: t } });
    const sudo = await findSudo(child.pid!);
    await sleep(1500);
    expect(flood(sudo, [14])).toBe('');
    const r = await done;
    expect(r.stdout).toContain('up');
    await until(() => endLines(t).length === 1, 10_000);
    expect(endLines(t)[0].exit).toBe(129); // docker logs ended by the relayed HUP
    await until(() => rootBrokers().length === 0, 10_000);
    expect(inspectorListeners(before)).toEqual([]);
  });

  it('TERM through sudo still stops a foreground run cleanly: 143, audited, --rm container removed', async () => {
    const t = tag();
    const { child, done } = asAsync(
      DEV1,
      [
        'run',
        '--rm',
        '--stop-timeout',
        '5',
        IMAGE,
        'sh',
        '-c',
        'trap "exit 143" TERM; echo started; while :; do sleep 1; done',
      ],
      { env: { BUILD_TAG: t } },
    );
    await until(() =>
      containersOf(t).some((id) => docker('inspect', '--format', '{{.State.Running}}', id).stdout.trim() === 'true'),
    );
    await sleep(1000);
    const sudo = await findSudo(child.pid!);
    const k = asUserSh('kill -TERM "$1"', String(sudo));
    expect(k.status).toBe(0);
    const r = await done;
    expect(r.status).toBe(143);
    expect(r.stdout).toContain('started');
    await until(() => containersOf(t).length === 0, 20_000);
    await until(() => endLines(t).length === 1, 10_000);
    expect(endLines(t)[0].exit).toBe(143);
    await until(() => rootBrokers().length === 0, 10_000);
  });
});
