import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allocatedPorts,
  dockerdStart,
  findDockerd,
  engineRangeCheck,
  type EngineRangeFacts,
  historyText,
  INSPECT_FIELDS,
  INSPECT_MAX_BYTES,
  inspectRunning,
  parseRangeHistory,
  PORT_RANGE_HISTORY_MAX,
  processStart,
  type RangeRecord,
  rangesAt,
  readRangeHistory,
  recordFor,
} from './engine-range.js';

const POLICY = { min: 49153, max: 65535 };
const DEFAULT = { min: 32768, max: 60999 };
const t = (hhmm: string): Date => new Date(`2026-01-01T${hhmm}:00Z`);
const rec = (hhmm: string, from: typeof POLICY | undefined, to: typeof POLICY): RangeRecord => ({
  at: t(hhmm).toISOString(),
  from,
  to,
});

/** docker inspect output for one running container. */
function container(name: string, startedAt: Date, asked: Record<string, unknown>, got: Record<string, unknown>) {
  return {
    Id: 'f'.repeat(64),
    Name: `/${name}`,
    State: { Running: true, StartedAt: startedAt.toISOString() },
    HostConfig: { PortBindings: asked },
    NetworkSettings: { Ports: got },
  };
}
const bound = (port: number) => [{ HostIp: '0.0.0.0', HostPort: String(port) }];

const rangesOnly = (...args: Parameters<typeof rangesAt>) => rangesAt(...args)?.ranges;

function facts(over: Partial<EngineRangeFacts> = {}): EngineRangeFacts {
  return {
    want: POLICY,
    live: POLICY,
    engine: { pid: 42, start: t('10:00') },
    history: { records: [] },
    asRoot: false,
    restart: 'sudo systemctl restart docker',
    ...over,
  };
}

describe('the history setup keeps of the live range', () => {
  it('gets a record when setup changes the range, and when it first sees it; a second setup adds nothing', () => {
    expect(recordFor([], DEFAULT, POLICY, t('10:00'))).toEqual(rec('10:00', DEFAULT, POLICY));
    expect(recordFor([], POLICY, POLICY, t('10:00'))).toEqual(rec('10:00', POLICY, POLICY));
    expect(recordFor([rec('10:00', DEFAULT, POLICY)], POLICY, POLICY, t('11:00'))).toBeUndefined();
  });
  it('gets a record when the live range is no longer where the history ends (someone else changed it)', () => {
    expect(recordFor([rec('10:00', DEFAULT, POLICY)], DEFAULT, POLICY, t('11:00'))).toEqual(
      rec('11:00', DEFAULT, POLICY),
    );
  });
  it('keeps its last entries only, and reads back what it wrote, oldest first', () => {
    let history: RangeRecord[] = [];
    for (let i = 0; i < PORT_RANGE_HISTORY_MAX + 5; i++)
      history = parseRangeHistory(
        historyText(history, { at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), to: POLICY }),
      );
    expect(history).toHaveLength(PORT_RANGE_HISTORY_MAX);
    expect(history[0].at).toBe('2026-01-01T00:05:00.000Z');
    expect(
      parseRangeHistory(JSON.stringify([rec('11:00', POLICY, DEFAULT), rec('10:00', DEFAULT, POLICY)]))[0].at,
    ).toBe(t('10:00').toISOString());
  });
  it('refuses a file that is not what setup writes', () => {
    expect(() => parseRangeHistory('{}')).toThrow(/not a JSON array/);
    expect(() => parseRangeHistory('[{"at":"x","to":{"min":1,"max":2}}]')).toThrow(/entry 0 has no valid "at"/);
    expect(() => parseRangeHistory('[{"at":"2026-01-01T00:00:00Z","to":{"min":3,"max":2}}]')).toThrow(/from"\/"to"/);
  });
  it('is trusted only when root wrote it and no one else can have', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'range-history-'));
    try {
      expect(readRangeHistory(path.join(dir, 'none'))).toEqual({ records: [] });
      const file = path.join(dir, 'h.json');
      fs.writeFileSync(file, historyText([], rec('10:00', DEFAULT, POLICY)), { mode: 0o666 });
      fs.chmodSync(file, 0o666);
      expect(readRangeHistory(file)).toEqual({ problem: `${file} is not a root-owned file only root may write` });
      if (process.getuid?.() === 0) {
        fs.chmodSync(file, 0o644);
        expect(readRangeHistory(file)).toEqual({ records: [rec('10:00', DEFAULT, POLICY)] });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the range live when dockerd started', () => {
  const history = [rec('10:00', DEFAULT, POLICY), rec('12:00', DEFAULT, POLICY)];
  it("before the first record: that record's from", () => {
    expect(rangesOnly(history, t('09:00'), POLICY)).toEqual([DEFAULT]);
    expect(rangesOnly([rec('10:00', POLICY, POLICY)], t('09:00'), POLICY)).toEqual([POLICY]);
  });
  it("between records: the first's to, and the next's from when someone changed it in between (the lifecycle test)", () => {
    expect(rangesOnly(history, t('11:00'), POLICY)).toEqual([POLICY, DEFAULT]);
    expect(rangesOnly([rec('10:00', DEFAULT, POLICY), rec('12:00', POLICY, DEFAULT)], t('11:00'), DEFAULT)).toEqual([
      POLICY,
    ]);
  });
  it('after the last record: its to, and the live range when that differs', () => {
    expect(rangesOnly(history, t('13:00'), POLICY)).toEqual([POLICY]);
    expect(rangesOnly(history, t('13:00'), DEFAULT)).toEqual([POLICY, DEFAULT]);
  });
  it('a start within seconds of a record takes both sides', () => {
    expect(rangesOnly([rec('10:00', DEFAULT, POLICY)], new Date(t('10:00').getTime() + 1000), POLICY)).toEqual([
      DEFAULT,
      POLICY,
    ]);
  });
  it('undefined when nothing says: no records, a from setup could not read, no live range', () => {
    expect(rangesOnly([], t('09:00'), POLICY)).toBeUndefined();
    expect(rangesOnly([rec('10:00', undefined, POLICY)], t('09:00'), POLICY)).toBeUndefined();
    expect(rangesOnly([rec('10:00', DEFAULT, POLICY)], t('11:00'), undefined)).toBeUndefined();
  });
});

describe('host ports the engine chose itself', () => {
  const start = t('10:00');
  it('counts -P and -p without a host port; not a host port someone asked for, nor a range', () => {
    const json = JSON.stringify([
      container(
        'a',
        t('10:05'),
        { '81/tcp': [{ HostIp: '', HostPort: '' }], '82/tcp': [{ HostPort: '8082' }], '83/tcp': [{ HostPort: '0' }] },
        {
          '80/tcp': bound(32768),
          '81/tcp': bound(32769),
          '82/tcp': bound(8082),
          '83/tcp': bound(32770),
          '84/udp': null,
        },
      ),
      container('b', t('10:06'), { '90/tcp': [{ HostPort: '40000-40010' }] }, { '90/tcp': bound(40003) }),
    ]);
    expect(allocatedPorts(json, start)).toEqual([
      { container: 'a', port: 32768 },
      { container: 'a', port: 32769 },
      { container: 'a', port: 32770 },
    ]);
  });
  it('only in containers this dockerd process started (older ones may keep an earlier process´s ports)', () => {
    const json = JSON.stringify([container('old', t('09:00'), {}, { '80/tcp': bound(32768) })]);
    expect(allocatedPorts(json, start)).toEqual([]);
  });
  it('reads nothing from an answer that is not an inspect array', () => {
    expect(allocatedPorts('not json', start)).toEqual([]);
    expect(allocatedPorts('{"a":1}', start)).toEqual([]);
    expect(allocatedPorts('[null, 1, {"State": {"Running": true}}]', start)).toEqual([]);
  });
});

describe('doctor: does the running engine allocate inside the policy range', () => {
  it('✖ with the ports as evidence when it chose one outside the range (root)', () => {
    const c = engineRangeCheck(
      facts({
        asRoot: true,
        inspectJson: JSON.stringify([container('web', t('10:30'), {}, { '80/tcp': bound(32768) })]),
        history: { records: [rec('09:00', DEFAULT, POLICY)] },
      }),
    );
    expect(c).toMatchObject({ id: 'engine-port-range', status: 'fail' });
    expect(c.detail).toMatch(
      /dockerd \(pid 42\) started 2026-01-01T10:00:00.000Z and chose host ports outside the range: 32768 \(web\)/,
    );
    expect(c.fix).toMatch(/^sudo systemctl restart docker \(it reads the range only when it starts/);
  });
  it('✖ from the records when dockerd started before setup changed the range (the issue)', () => {
    const c = engineRangeCheck(facts({ history: { records: [rec('11:00', DEFAULT, POLICY)] } }));
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('when the live range was 32768–60999');
    expect(c.detail).toContain(
      "(setup's records in /var/lib/cida-docker-port-range-history.json: 2026-01-01T11:00:00.000Z set 32768–60999 → 49153–65535, taking it that no one changed it before the first record)",
    );
    expect(c.fix).toContain('sudo systemctl restart docker');
  });
  it('✔ when dockerd started after setup set the range', () => {
    const c = engineRangeCheck(facts({ history: { records: [rec('09:00', DEFAULT, POLICY)] } }));
    expect(c.status).toBe('ok');
    expect(c.detail).toMatch(/when the live range was 49153–65535/);
    expect(c.detail).toMatch(/root also checks the ports it chose/);
  });
  it('✔ when the range it read lies inside the policy range (every port it hands out is allowed)', () => {
    const narrow = { min: 50000, max: 50999 };
    expect(engineRangeCheck(facts({ history: { records: [rec('11:00', narrow, POLICY)] } })).status).toBe('ok');
  });
  it('✔ after the lifecycle test: started with the right range, changed by hand and set back by setup later', () => {
    const records = [rec('10:30', POLICY, POLICY), rec('11:00', DEFAULT, POLICY)];
    const c = engineRangeCheck(facts({ history: { records } }));
    expect(c.status).toBe('ok');
    expect(c.detail).toContain(
      '2026-01-01T10:30:00.000Z found 49153–65535, taking it that no one changed it before the first record)',
    );
    expect(c.detail).not.toContain('11:00');
  });
  it('✔ with the ports it chose as further evidence (root)', () => {
    const c = engineRangeCheck(
      facts({
        asRoot: true,
        inspectJson: JSON.stringify([container('web', t('10:30'), {}, { '80/tcp': bound(49153) })]),
        history: { records: [rec('09:00', DEFAULT, POLICY)] },
      }),
    );
    expect(c.status).toBe('ok');
    expect(c.detail).toMatch(/the ports it chose since \(49153 \(web\)\) are all inside$/);
  });
  it('– unknown, not ✖, when the records cannot say which of two ranges it read', () => {
    const c = engineRangeCheck(
      facts({ history: { records: [rec('09:00', DEFAULT, POLICY), rec('11:00', DEFAULT, POLICY)] } }),
    );
    expect(c.status).toBe('skip');
    expect(c.detail).toMatch(/^cannot tell: .*when the live range was 49153–65535 or 32768–60999/);
  });
  it('– unknown when a port it chose contradicts the records', () => {
    const c = engineRangeCheck(
      facts({
        asRoot: true,
        inspectJson: JSON.stringify([container('web', t('10:30'), {}, { '80/tcp': bound(61000) })]),
        history: { records: [rec('11:00', DEFAULT, POLICY)] },
      }),
    );
    expect(c.status).toBe('skip');
  });
  it('– unknown without records, with an untrusted history, or without a dockerd to look at', () => {
    expect(engineRangeCheck(facts()).detail).toMatch(/^cannot tell: .*no record of setup says/);
    expect(engineRangeCheck(facts({ history: { problem: 'h is not root-owned' } }))).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('h is not root-owned') as string,
    });
    expect(engineRangeCheck(facts({ engine: { problem: 'no dockerd process is running' } }))).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/^cannot tell: no dockerd process is running/) as string,
    });
  });
});

describe('process start times from /proc', () => {
  it('reads field 22 after a command name that may hold spaces and parentheses', () => {
    const stat = `123 (a) b) S ${Array.from({ length: 18 }, (_, i) => i).join(' ')} 150000 0 0`;
    expect(processStart(stat, 'cpu 1 2\nbtime 1767225600\n')?.toISOString()).toBe('2026-01-01T00:25:00.000Z');
    expect(processStart(stat, 'cpu 1 2\n')).toBeUndefined();
  });
  // A process of our own named dockerd stands in for the engine: the host's may not run (CI's unit stage
  // runs before the engine starts, and a dead engine leaves its pidfile behind).
  it('finds the dockerd a pidfile names and when it started; a stale pidfile is not trusted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-dockerd-'));
    const fake = path.join(dir, 'dockerd');
    fs.copyFileSync('/bin/sleep', fake);
    fs.chmodSync(fake, 0o755);
    const child = spawn(fake, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
      const pidfile = path.join(dir, 'docker.pid');
      fs.writeFileSync(pidfile, `${child.pid}\n`);
      const d = dockerdStart(pidfile);
      expect(d).toMatchObject({ pid: child.pid });
      if (!('problem' in d)) expect(Math.abs(d.start.getTime() - Date.now())).toBeLessThan(10_000);

      fs.writeFileSync(pidfile, `${process.pid}\n`); // a live process that is not dockerd
      const stale = findDockerd(pidfile);
      expect('pid' in stale && stale.pid === process.pid).toBe(false);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("root's inspect of the running containers", () => {
  const ID = 'a'.repeat(64);
  /** A docker client that lists one container and prints `inspectOut` (a shell expression) for inspect. */
  function fakeDocker(inspectOut: string): { docker: string; args: string; cleanup: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-fake-docker-'));
    const docker = path.join(dir, 'docker');
    const args = path.join(dir, 'args');
    fs.writeFileSync(
      docker,
      `#!/bin/sh\ncase "$1" in\n  ps) echo ${ID} ;;\n  inspect) printf '%s\\n' "$@" > ${args}; ${inspectOut} ;;\nesac\n`,
      { mode: 0o755 },
    );
    return { docker, args, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  it('asks for the port fields only and reads one object per line', () => {
    const line = JSON.stringify({ Id: ID, Name: '/web', State: { Running: true } });
    const f = fakeDocker(`echo '${line}'; echo '${line}'`);
    try {
      const json = inspectRunning(f.docker);
      expect(JSON.parse(json ?? 'null')).toHaveLength(2);
      const argv = fs.readFileSync(f.args, 'utf8').split('\n');
      expect(argv[argv.indexOf('--format') + 1]).toBe(INSPECT_FIELDS);
      expect(INSPECT_FIELDS).not.toMatch(/Labels|\.Env\b|\.Config\b/);
    } finally {
      f.cleanup();
    }
  });
  it('gives up (cannot tell) when the engine prints more than the cap', () => {
    const f = fakeDocker(`head -c ${INSPECT_MAX_BYTES + 1024} /dev/zero | tr '\\0' x`);
    try {
      expect(inspectRunning(f.docker)).toBeUndefined();
    } finally {
      f.cleanup();
    }
  });
});
