// Doctor's engine-port-range check against a real dockerd that started before the range changed.
// The shared engine and the host's port range are never touched: a second dockerd of our own runs
// in a network namespace of its own (ip_local_port_range is per network namespace), with its own
// socket, data-root, exec-root, pidfile, containerd namespace and cgroup parent, and no iptables.
// Its range is changed inside that namespace only. Everything is removed again in afterAll.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  engineRangeCheck,
  type EngineStart,
  inspectRunning,
  PORT_RANGE_HISTORY_PATH,
  readRangeHistory,
  recordRangeChange,
  startOf,
} from '../src/setup/engine-range.js';
import { asUser, CLI, DEV1, type DoctorJson, hostReady, isRoot, sh } from './setup-helpers.js';

const OLD = { min: 40000, max: 40999 };
const POLICY = { min: 49153, max: 65535 };
const CLIENT = '/usr/bin/docker';
const usable =
  isRoot() &&
  ['/usr/sbin/dockerd', '/usr/bin/unshare', '/usr/bin/nsenter', CLIENT, '/bin/busybox'].every((p) => fs.existsSync(p));

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(usable)('engine-port-range against a dockerd of our own (own network namespace)', () => {
  let dir = '';
  let sock = '';
  let history = '';
  let holder: ChildProcess | undefined;
  let dockerd: ChildProcess | undefined;
  const hostRange = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');

  /** Runs in our namespace, as root. */
  const inNs = (script: string) => sh(`nsenter -t ${holder?.pid} -n -- /bin/sh -c '${script}'`);
  const docker = (args: string) => sh(`${CLIENT} -H ${sock} ${args}`, { timeoutMs: 60_000 });

  async function startDockerd(): Promise<EngineStart> {
    const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
    dockerd = spawn(
      '/usr/bin/nsenter',
      [
        '-t',
        String(holder?.pid),
        '-n',
        '--',
        '/usr/sbin/dockerd',
        `--config-file=${dir}/daemon.json`,
        `--data-root=${dir}/data`,
        `--exec-root=${dir}/exec`,
        `--pidfile=${dir}/dockerd.pid`,
        `--host=${sock}`,
        '--iptables=false',
        '--ip6tables=false',
        '--storage-driver=vfs',
        '--cgroup-parent=cida-engine-range-e2e',
        '--containerd-namespace=cida-engine-range-e2e',
        '--containerd-plugins-namespace=cida-engine-range-e2e-plugins',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    await waitFor('our dockerd to answer', () => docker("version --format '{{.Server.Version}}'").status === 0);
    // nsenter execs dockerd (no fork for a network namespace): the pidfile names the same process.
    expect(Number(fs.readFileSync(`${dir}/dockerd.pid`, 'utf8'))).toBe(dockerd.pid);
    const s = startOf(dockerd.pid ?? -1);
    if ('problem' in s) throw new Error(s.problem);
    // Let the seconds-precise start time fall clearly behind what comes next.
    await new Promise((r) => setTimeout(r, 2500));
    return s;
  }

  async function stopDockerd(): Promise<void> {
    const pid = dockerd?.pid;
    if (!alive(pid)) return;
    docker('rm -f $(' + `${CLIENT} -H ${sock} ps -aq` + ') 2>/dev/null');
    process.kill(pid as number, 'SIGTERM');
    await waitFor('our dockerd to stop', () => dockerd?.exitCode !== null || dockerd.signalCode !== null, 30_000).catch(
      () => process.kill(pid as number, 'SIGKILL'),
    );
  }

  function publishOne(): number {
    const r = docker('run -d -P --expose 80 cida-engine-range-probe:1 /bin/busybox sleep 600');
    expect(r.status, r.stderr).toBe(0);
    const port = docker(`port ${r.stdout.trim()} 80/tcp`).stdout.split('\n')[0]?.split(':').pop();
    return Number(port);
  }

  const check = (engine: EngineStart, withPorts: boolean) =>
    engineRangeCheck({
      want: POLICY,
      live: POLICY,
      engine,
      history: readRangeHistory(history),
      inspectJson: withPorts ? inspectRunning(CLIENT, sock) : undefined,
      asRoot: true,
      restart: 'restart it',
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-engine-range-'));
    sock = `unix://${dir}/docker.sock`;
    history = path.join(dir, 'history.json');
    fs.writeFileSync(`${dir}/daemon.json`, '{}\n');
    holder = spawn('/usr/bin/unshare', ['--net', '--', '/bin/sleep', '3600'], { stdio: 'ignore' });
    await waitFor('the namespace', () => inNs('ip link set lo up').status === 0, 10_000);
    expect(inNs(`echo "${OLD.min} ${OLD.max}" > /proc/sys/net/ipv4/ip_local_port_range`).status).toBe(0);
  });

  afterAll(async () => {
    await stopDockerd();
    if (alive(holder?.pid)) process.kill(holder?.pid as number, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a dockerd started before the range changed: ✖ from the ports it chose, and from the records alone', async () => {
    const engine = await startDockerd();
    const root = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    expect(sh(`tar -C ${root} -c . | ${CLIENT} -H ${sock} import - cida-engine-range-probe:1`).status).toBe(0);

    // What setup does on a host whose engine already runs: set the range, record the change.
    expect(inNs(`echo "${POLICY.min} ${POLICY.max}" > /proc/sys/net/ipv4/ip_local_port_range`).status).toBe(0);
    recordRangeChange(OLD, POLICY, history);

    const port = publishOne();
    expect(port).toBeGreaterThanOrEqual(OLD.min); // the premise: it still allocates from the old range
    expect(port).toBeLessThanOrEqual(OLD.max);

    const direct = check(engine, true);
    expect(direct.status).toBe('fail');
    expect(direct.detail).toContain(`chose host ports outside the range: ${port}`);
    const inferred = check(engine, false);
    expect(inferred.status).toBe('fail');
    expect(inferred.detail).toContain('when the live range was 40000–40999');
  });

  it('restarted after the change: ✔, and the port it chooses now is inside', async () => {
    await stopDockerd();
    // Past the records' 2 s slack: a start that close to setup's record could have read either range ("cannot tell").
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const engine = await startDockerd();
    const port = publishOne();
    expect(port).toBeGreaterThanOrEqual(POLICY.min);
    const c = check(engine, true);
    expect(c.status, c.detail).toBe('ok');
    expect(c.detail).toContain(`the ports it chose since (${port} (`);
  });

  it("changed only our namespace's range, not the host's", () => {
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).toBe(hostRange);
  });
});

describe.runIf(hostReady())('engine-port-range on the shared engine after setup', () => {
  it('setup recorded the live range, and doctor says the running engine allocates inside it', () => {
    const h = readRangeHistory(PORT_RANGE_HISTORY_PATH);
    expect('records' in h && h.records.length > 0).toBe(true);
    for (const r of [sh(`${CLI} doctor --json --user ${DEV1}`), asUser(DEV1, `${CLI} doctor --json`)]) {
      const c = (JSON.parse(r.stdout) as DoctorJson).checks.find((x) => x.id === 'engine-port-range');
      expect(c?.status, c?.detail).toBe('ok');
    }
  });
});
