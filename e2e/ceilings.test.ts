// Resource ceilings, for real: what a developer's container gets from the policy (memory, no swap,
// pids, a size on every tmpfs, log rotation), read back as root from docker inspect and from the
// kernel (the container's mounts and cgroup), and what is refused (exit 77 naming the policy key)
// without anything reaching the engine. Needs the host set up as for e2e/broker.test.ts.
/* eslint-disable @typescript-eslint/no-explicit-any -- docker inspect JSON is read loosely, as the tests look at it */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  asAsync,
  docker,
  inspect,
  POLICY,
  REG,
  suiteContainers,
  writePolicy,
  brokerReady,
} from './broker-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const HEX64 = /^[0-9a-f]{64}\n$/;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const IMAGE = `${REG}/busybox:1`;
const ready = brokerReady();

const BASE = { trustedRegistries: ['registry.example.internal:5000'], publishedPorts: { min: 49153, max: 65535 } };

let savedPolicy: Buffer | null = null;

function runD(args: string[]): string {
  const r = as(DEV1, ['run', '-d', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(HEX64);
  return r.stdout.trim();
}

/** The container's mounts as the kernel has them (read as root from the host). */
function kernelMounts(c: Record<string, any>): Map<string, string> {
  const lines = fs.readFileSync(`/proc/${c.State.Pid}/mounts`, 'utf8').split('\n');
  return new Map(
    lines
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'tmpfs')
      .map((f) => [f[1], f[3]]),
  );
}

/**
 * A file of the container's cgroup: cgroup v2 (`0::path`, /sys/fs/cgroup/path/name) or, given a
 * v1 controller, /sys/fs/cgroup/controller/path/name (hybrid hosts list both). Undefined where
 * this host does not show it.
 */
function cgroupFile(c: Record<string, any>, name: string, v1Controller?: string): string | undefined {
  const lines = fs
    .readFileSync(`/proc/${c.State.Pid}/cgroup`, 'utf8')
    .split('\n')
    .map((l) => l.split(':'));
  const found = v1Controller
    ? lines.find((f) => f.length >= 3 && f[1].split(',').includes(v1Controller))
    : lines.find((f) => f[0] === '0' && f[1] === '');
  if (!found) return undefined;
  const file = `/sys/fs/cgroup${v1Controller ? `/${v1Controller}` : ''}${found.slice(2).join(':')}/${name}`;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

describe.runIf(ready)('resource ceilings end to end', () => {
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy(BASE);
  });
  afterAll(() => {
    for (const id of suiteContainers()) docker('rm', '-f', id);
    if (savedPolicy) writePolicy(JSON.parse(savedPolicy.toString('utf8')));
    else fs.rmSync(POLICY, { force: true });
  });

  it('a bare run gets the default memory (no swap), pids and log rotation on json-file', () => {
    const c = inspect(runD([IMAGE]));
    const hc = c.HostConfig;
    expect(hc.Memory).toBe(GiB);
    expect(hc.MemorySwap).toBe(GiB);
    expect(hc.PidsLimit).toBe(512);
    expect(hc.ShmSize).toBeLessThanOrEqual(GiB);
    expect(hc.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '5' } });
    // What the kernel enforces, where this host lets root see the container's cgroup.
    const memoryMax = cgroupFile(c, 'memory.max') ?? cgroupFile(c, 'memory.limit_in_bytes', 'memory');
    if (memoryMax !== undefined) expect(memoryMax).toBe(String(GiB));
    // v2 counts swap alone (0: none), v1 memory plus swap (equal to the memory limit: none).
    const swapMax = cgroupFile(c, 'memory.swap.max') ?? cgroupFile(c, 'memory.memsw.limit_in_bytes', 'memory');
    if (swapMax !== undefined) expect(swapMax).toBe(cgroupFile(c, 'memory.swap.max') !== undefined ? '0' : String(GiB));
    const pidsMax = cgroupFile(c, 'pids.max', 'pids');
    if (pidsMax !== undefined) expect(pidsMax).toBe('512');
    console.log(`cgroup seen: memory ${memoryMax ?? 'n/a'}, memory+swap ${swapMax ?? 'n/a'}, pids ${pidsMax ?? 'n/a'}`);
  });

  it('a tmpfs without a size gets the ceiling (not half the host RAM), in both syntaxes; given limits within the ceilings are kept', () => {
    const c = inspect(
      runD([
        '--tmpfs',
        '/scratch',
        '--tmpfs',
        '/run/app:mode=1777',
        '--tmpfs',
        '/small:size=64m',
        '--mount',
        'type=tmpfs,dst=/cache',
        '--mount',
        'type=tmpfs,dst=/zero,tmpfs-size=0',
        '--shm-size',
        '512m',
        '-m',
        '2g',
        '--pids-limit',
        '100',
        '--log-driver',
        'local',
        '--log-opt',
        'max-size=5m',
        IMAGE,
      ]),
    );
    const hc = c.HostConfig;
    expect(hc.Tmpfs).toEqual({ '/scratch': `size=${GiB}`, '/run/app': `mode=1777,size=${GiB}`, '/small': 'size=64m' });
    const sizes = Object.fromEntries((hc.Mounts ?? []).map((m: any) => [m.Target, m.TmpfsOptions?.SizeBytes]));
    expect(sizes).toEqual({ '/cache': GiB, '/zero': GiB });
    expect([hc.ShmSize, hc.Memory, hc.MemorySwap, hc.PidsLimit]).toEqual([512 * MiB, 2 * GiB, 2 * GiB, 100]);
    expect(hc.LogConfig).toEqual({ Type: 'local', Config: { 'max-size': '5m', 'max-file': '5' } });
    // What the kernel mounted: every tmpfs has a size, none above the ceiling.
    const mounts = kernelMounts(c);
    const kib = (opts: string | undefined) => Number(/(?:^|,)size=(\d+)k(?:,|$)/.exec(opts ?? '')?.[1]);
    expect([
      kib(mounts.get('/scratch')),
      kib(mounts.get('/run/app')),
      kib(mounts.get('/cache')),
      kib(mounts.get('/zero')),
    ]).toEqual([GiB / 1024, GiB / 1024, GiB / 1024, GiB / 1024]);
    expect(kib(mounts.get('/small'))).toBe(64 * 1024);
    expect(kib(mounts.get('/dev/shm'))).toBe(512 * 1024);
  });

  it('the refused forms exit 77 naming the limit and the policy key, and nothing reaches the engine', () => {
    const before = suiteContainers().length;
    const cases: [string[], RegExp[]][] = [
      [
        ['--pids-limit', '4194304', '--shm-size', '64g', '--tmpfs', '/big:size=64g'],
        [
          /ceiling of 4096 \(policy run\.maxPidsLimit\)/,
          /ceiling of 1g \(policy run\.maxShmSize\)/,
          /ceiling of 1g \(policy run\.maxTmpfsSize\)/,
        ],
      ],
      [
        ['--expose', '20000-20999'],
        [/1000 host ports, above this host's ceiling of 16 per container \(policy run\.maxPortsPerContainer\)/],
      ],
      [['-m', '8g'], [/ceiling of 4g \(policy run\.maxMemory\)/]],
      [['-m', '1g', '--memory-swap', '-1'], [/unlimited swap.*run\.maxMemory/]],
      [['--memory-swap', '6g'], [/ceiling of 4g \(policy run\.maxMemory\)/]],
      [['--pids-limit', '0'], [/no process limit.*run\.maxPidsLimit/]],
      [['--mount', 'type=tmpfs,dst=/t,tmpfs-size=64g'], [/ceiling of 1g \(policy run\.maxTmpfsSize\)/]],
      [['--tmpfs', '/t:size=0'], [/size="0" is not a size/]],
      [['--tmpfs', '/t:size=1m,nr_blocks=99999999'], [/nr_blocks.*run\.maxTmpfsSize/]],
      [['--log-opt', 'max-size=10g'], [/ceiling of 20m \(policy run\.logMaxSize\)/]],
      [['--log-opt', 'max-file=1000'], [/ceiling of 5 \(policy run\.logMaxFile\)/]],
    ];
    for (const [args, messages] of cases) {
      const r = as(DEV1, ['run', '-d', ...args, IMAGE]);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 77, stdout: '' });
      for (const m of messages) expect(r.stderr, args.join(' ')).toMatch(m);
    }
    expect(suiteContainers().length).toBe(before);
  });

  it("the administrator's ceilings are the ones enforced and forced", () => {
    writePolicy({
      ...BASE,
      run: {
        memory: '256m',
        maxMemory: '512m',
        pidsLimit: 64,
        maxPidsLimit: 128,
        maxTmpfsSize: '128m',
        logMaxSize: '1m',
        logMaxFile: 2,
        maxPortsPerContainer: 1,
      },
    });
    try {
      const c = inspect(runD(['--tmpfs', '/t', IMAGE]));
      const hc = c.HostConfig;
      expect([hc.Memory, hc.MemorySwap, hc.PidsLimit]).toEqual([256 * MiB, 256 * MiB, 64]);
      expect(hc.Tmpfs).toEqual({ '/t': `size=${128 * MiB}` });
      expect(hc.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
      for (const [args, key] of [
        [['-m', '1g'], 'run.maxMemory'],
        [['--pids-limit', '512'], 'run.maxPidsLimit'],
        [['-p', '9000', '--expose', '9001'], 'run.maxPortsPerContainer'],
      ] as const) {
        const r = as(DEV1, ['run', '-d', ...args, IMAGE]);
        expect(r.status).toBe(77);
        expect(r.stderr).toContain(`(policy ${key})`);
      }
    } finally {
      writePolicy(BASE);
    }
  });

  it('a policy whose default is above its own ceiling is a bad policy (78), naming the key', () => {
    writePolicy({ ...BASE, run: { memory: '8g' } });
    try {
      const r = as(DEV1, ['run', '-d', IMAGE]);
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(/run\.memory/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      writePolicy(BASE);
    }
  });

  describe('the per-developer ceiling under concurrent requests (run.maxContainersPerUser)', () => {
    const ids = (all: boolean): string[] =>
      as(DEV2, ['ps', ...(all ? ['-a'] : []), '-q', '--no-trunc'])
        .stdout.split('\n')
        .filter(Boolean);
    const clean = (): void => {
      for (const id of ids(true)) as(DEV2, ['rm', '-f', id]);
    };
    const refusedByCeiling = (r: { status: number | null; stderr: string }): void => {
      expect(r.status).toBe(77);
      expect(r.stderr).toMatch(/run\.maxContainersPerUser/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    };

    it('N concurrent runs by one developer with ceiling K never leave more than K running', async () => {
      clean();
      const K = 2;
      writePolicy({ ...BASE, run: { maxContainersPerUser: K } });
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, () => asAsync(DEV2, ['run', '-d', IMAGE, 'sleep', '600']).done),
        );
        const ok = results.filter((r) => r.status === 0);
        expect(ids(false).length).toBeLessThanOrEqual(K);
        expect(ok.length).toBe(K);
        for (const r of results.filter((x) => x.status !== 0)) refusedByCeiling(r);
        // Refused runs leave nothing behind: no stopped containers either.
        expect(ids(true).length).toBe(K);
      } finally {
        clean();
        writePolicy(BASE);
      }
    }, 180_000);

    it('concurrent starts (and runs) of stopped containers never pass the ceiling either', async () => {
      clean();
      writePolicy({ ...BASE, run: { maxContainersPerUser: 4 } });
      try {
        for (let i = 0; i < 4; i++) expect(as(DEV2, ['run', '-d', IMAGE, 'sleep', '600']).status).toBe(0);
        const stopped = ids(false);
        expect(as(DEV2, ['stop', '-t', '0', ...stopped]).status).toBe(0);
        writePolicy({ ...BASE, run: { maxContainersPerUser: 2 } });
        const results = await Promise.all([
          ...stopped.map((id) => asAsync(DEV2, ['start', id]).done),
          asAsync(DEV2, ['run', '-d', IMAGE, 'sleep', '600']).done,
          asAsync(DEV2, ['run', '-d', IMAGE, 'sleep', '600']).done,
        ]);
        expect(ids(false).length).toBeLessThanOrEqual(2);
        expect(results.filter((r) => r.status === 0).length).toBe(2);
        for (const r of results.filter((x) => x.status !== 0)) refusedByCeiling(r);
      } finally {
        clean();
        writePolicy(BASE);
      }
    }, 180_000);
  });
});
