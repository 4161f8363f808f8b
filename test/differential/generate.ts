// Generates docker argvs from the flag table with a seeded PRNG: mostly valid-looking (values drawn
// per flag type and name, plausible images and containers), some invalid on purpose.
import { COMMANDS, GLOBAL_FLAGS } from '../../src/docker/flag-table.js';
import type { CommandSpec, FlagSpec } from '../../src/docker/model.js';

export type Rng = () => number;

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const chance = (r: Rng, p: number) => r() < p;

export const TRUSTED = 'registry.example.internal';
const IMAGES = [
  `${TRUSTED}/team/app:1.0`,
  `${TRUSTED}/team/app`,
  `${TRUSTED}/x/y@sha256:${'a'.repeat(64)}`,
  'alpine',
  'busybox:1.36',
  `${TRUSTED}:443/team/app`,
];
const CONTAINERS = ['c1', 'web', 'f00dcafe'];

/** Valid-looking values per flag name (any command), then per type. */
const VALUES: Record<string, readonly string[]> = {
  publish: [
    '80',
    '8080:80',
    '127.0.0.1:50000:80/tcp',
    '50000-50001:80-81',
    '[::1]:50010:80',
    'published=50002,target=80',
    '50003:53/udp',
    '1000:80',
  ],
  expose: ['80', '8000-8001/udp', '443/tcp'],
  volume: ['/data', 'vol:/data', '/tmp:/x:ro', './rel:/r', 'C:/x'],
  mount: [
    'type=tmpfs,target=/t',
    'type=tmpfs,dst=/t,tmpfs-size=64m',
    'type=volume,src=v,dst=/d',
    'type=bind,source=/tmp,target=/h',
    '"type=tmpfs","target=/x"',
    'Type=Bind,Source=/,Target=/h',
    'type=tmpfs,target=/a,type=bind,source=/',
  ],
  tmpfs: ['/run', '/tmp:rw,size=64m'],
  network: ['bridge', 'none', 'host', 'mynet', 'container:abc', 'name=mynet,alias=a', 'NAME=HOST', 'default'],
  net: ['bridge', 'host', 'mynet'],
  env: ['A=1', 'B=', 'PATH', 'X=a=b'],
  label: ['a=b', 'cida.owner=x', 'k'],
  user: ['1000', '1000:1000', 'app', 'root', '0', '0:0', '+0', '00'],
  'cap-add': ['NET_ADMIN', 'ALL', 'CHOWN'],
  'cap-drop': ['ALL', 'NET_RAW'],
  device: ['/dev/null', '/dev/null:/dev/x:r', 'vendor.com/gpu=0'],
  gpus: ['all', '1', 'device=0', 'count=2,driver=nvidia'],
  'security-opt': [
    'no-new-privileges',
    'no-new-privileges=true',
    'no-new-privileges:true',
    'apparmor=unconfined',
    'label=disable',
    'seccomp=unconfined',
  ],
  sysctl: ['net.ipv4.ip_forward=1', 'kernel.shmmax=1'],
  ulimit: ['nofile=1024:2048', 'nproc=-1', 'core=0', 'nofile=0x10'],
  'add-host': ['h:1.2.3.4', 'h=::1', 'h:host-gateway', 'h:[::1]'],
  dns: ['8.8.8.8', ' 1.1.1.1 '],
  'dns-search': ['example.com', '.'],
  'dns-option': ['ndots:2'],
  'dns-opt': ['ndots:2'],
  restart: ['no', 'always', 'on-failure:3', 'unless-stopped', 'on-failure'],
  pid: ['host', '', 'container:abc'],
  ipc: ['host', 'private', 'shareable', 'container:abc'],
  uts: ['host', ''],
  userns: ['host', ''],
  cgroupns: ['host', 'private', ''],
  'log-driver': ['json-file', 'local', 'syslog'],
  'log-opt': ['max-size=10m'],
  'health-cmd': ['true'],
  pull: ['always', 'missing', 'never'],
  platform: ['linux/amd64', 'linux/arm64', 'amd64', 'linux', 'linux/arm/v7'],
  name: ['web', 'app_1'],
  hostname: ['h1'],
  domainname: ['example.com'],
  workdir: ['/app'],
  entrypoint: ['/bin/sh', ''],
  'stop-signal': ['SIGTERM', '9'],
  signal: ['SIGKILL', 'TERM'],
  'mac-address': ['02:42:ac:11:00:02'],
  ip: ['172.17.0.5'],
  ip6: ['2001:db8::33'],
  link: ['other:alias', 'other'],
  'network-alias': ['a'],
  'net-alias': ['a'],
  'volumes-from': ['c1'],
  'volume-driver': ['local'],
  'cgroup-parent': ['/x'],
  runtime: ['runc'],
  isolation: ['default'],
  annotation: ['a=b'],
  'storage-opt': ['size=1G'],
  'device-cgroup-rule': ['c 1:3 rwm', 'a *:* m'],
  'device-read-bps': ['/dev/sda:1mb'],
  'device-write-bps': ['/dev/sda:1024'],
  'device-read-iops': ['/dev/sda:100'],
  'device-write-iops': ['/dev/sda:100'],
  'blkio-weight-device': ['/dev/sda:100'],
  attach: ['stdout', 'STDERR'],
  'detach-keys': ['ctrl-p,ctrl-q'],
  'group-add': ['1000', 'root', 'docker'],
  'link-local-ip': ['169.254.1.1'],
  'cpuset-cpus': ['0-1'],
  'cpuset-mems': ['0'],
  'memory-swappiness': ['0', '60', '-1'],
  'oom-score-adj': ['0', '-500', '100'],
  'pids-limit': ['100', '-1', '0x100'],
  'blkio-weight': ['10', '500', '0'],
  filter: ['status=running', 'label=a=b', ''],
  format: ['{{.ID}}', 'json', 'table'],
  since: ['10m', '2013-01-02T13:23:37Z'],
  until: ['1m'],
  tail: ['10', 'all'],
  type: ['container', 'image'],
  username: ['dev'],
  password: ['secret'],
  'cpu-shares': ['512', '0x200'],
  'disable-content-trust': ['true'],
};

const INVALID: Record<string, readonly string[]> = {
  publish: ['abc', '=', '80:80:80:80x', '1-2:3', '70000:80', 'x:80:80', '80/ftp', 'published=1,=x'],
  expose: ['a:b', 'x', '5-1'],
  volume: ['::', 'a::b', '/a:/b:/c:/d'],
  mount: [
    'type=tmpfs',
    'foo',
    'type=tmpfs,target=/t,tmpfs-mode=9',
    'src="x',
    'type=volume,target=/a,bind-propagation=shared',
  ],
  network: ['name=,x=y', 'foo=bar', 'name=a,bogus=1'],
  env: ['', '=x'],
  label: ['', ' ', 'a b=c'],
  device: ['/dev/x:y:z:w', 'dev', '/a:/b:xyz'],
  gpus: ['x', 'count=1,count=2', ''],
  'security-opt': ['foo', 'seccomp='],
  sysctl: ['kernel.foo=1', 'net.x'],
  ulimit: ['nofile=2:1', 'foo=1', 'nofile', 'nproc=-1:5'],
  'add-host': ['h:x', 'noport', ':1.2.3.4'],
  dns: ['x', '[::1]'],
  'dns-search': ['123', '-a'],
  restart: [':3', 'on-failure:x'],
  pid: ['foo', 'container:'],
  uts: ['private'],
  userns: ['private'],
  cgroupns: ['foo'],
  pull: ['sometimes'],
  platform: ['foo/bar/baz/qux', 'nope', 'linux/*'],
  'mac-address': ['zz', '02:42:ac:11:00'],
  link: ['a:b:c', ''],
  'network-alias': ['a'],
  'device-cgroup-rule': ['x'],
  'device-read-bps': ['sda:1', '/dev/sda:x'],
  'device-read-iops': ['/dev/sda:1.5'],
  'blkio-weight-device': ['/dev/sda:5', 'x'],
  attach: ['foo'],
  'memory-swappiness': ['101', '-2'],
  'blkio-weight': ['70000', '-1'],
  filter: ['x'],
  'health-retries': ['-1'],
  'health-interval': ['-1s', '1'],
  'log-opt': ['x=y'],
};

const BY_TYPE: Record<string, readonly string[]> = {
  int: ['0', '10', '0x10', '0o20', '020', '1_0', '-1', '+5', '0b11'],
  int64: ['0', '10', '0x10', '0o20', '020', '1_0', '-1', '0B1', '077'],
  uint16: ['0', '10', '0x10', '1_0'],
  uint64: ['0', '10', '0x10'],
  duration: ['1s', '500ms', '1m30s', '0', '1.5h', '-1s', '2µs'],
  bytes: ['512m', '1g', '0', '1e3', '10 kb', '1.5GiB', '100', '4M'],
  decimal: ['1.5', '0.5', '2', '1/2', '1e-1', '0x1'],
  list: ['x'],
  string: ['x'],
  stringSlice: ['a,b', 'a', '"a,b",c'],
};
const BAD_TYPE: Record<string, readonly string[]> = {
  int: ['1.5', 'x', '9223372036854775808', '1__0', '_1', '0x', ''],
  int64: ['1.5', 'x', '-9223372036854775809', '1_', '08'],
  uint16: ['70000', '-1', 'x'],
  uint64: ['-1', 'x'],
  duration: ['1', 'x', '1.s', '1hh', ''],
  bytes: ['-1', '1x', 'kb', '1 kbb', ''],
  decimal: ['x', '0.0000000001', '1/0', ''],
  ulimit: ['nofile=x'],
  stringSlice: ['a"b', '"a'],
  bool: ['yes', 'on', '', '2'],
};

/** Flags we never generate: they read/write host files, need a TTY, or contact a network. */
const SKIP = new Set([
  'env-file',
  'label-file',
  'cidfile',
  'iidfile',
  'file',
  'output',
  'input',
  'config',
  'password-stdin',
  'use-api-socket',
  'follow',
  'checkpoint',
  'checkpoint-dir',
  'help',
]);

export const COMMAND_WEIGHTS: readonly [string, number][] = [
  ['run', 40],
  ['create', 8],
  ['exec', 12],
  ['ps', 3],
  ['logs', 3],
  ['stop', 3],
  ['start', 2],
  ['restart', 2],
  ['rm', 3],
  ['inspect', 2],
  ['port', 2],
  ['images', 3],
  ['pull', 2],
  ['push', 2],
  ['tag', 2],
  ['version', 1],
  ['info', 1],
  ['login', 1],
  ['logout', 1],
  ['kill', 2],
  ['top', 2],
  ['rmi', 2],
  ['wait', 1],
  ['rename', 1],
];

function weighted(r: Rng): string {
  const total = COMMAND_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [c, w] of COMMAND_WEIGHTS) if ((x -= w) < 0) return c;
  return 'run';
}

function valueFor(r: Rng, f: FlagSpec, invalid: boolean): string {
  const name = f.aliasOf ?? f.long;
  if (invalid) {
    const bad = INVALID[name] ?? BAD_TYPE[f.type] ?? BAD_TYPE[f.goType];
    if (bad && bad.length > 0) return pick(r, bad);
    if (chance(r, 0.5)) return pick(r, ['--privileged', '-d', '--rm']);
  }
  const good = VALUES[name] ?? BY_TYPE[f.type] ?? ['x'];
  if (chance(r, 0.03)) return pick(r, ['--privileged', '-x', '--', '-']);
  return pick(r, good);
}

function positionals(r: Rng, spec: CommandSpec): string[] {
  const image = () => pick(r, IMAGES);
  const ctr = () => pick(r, CONTAINERS);
  switch (spec.name) {
    case 'run':
    case 'create': {
      const cmd = chance(r, 0.5)
        ? []
        : pick(r, [['sh', '-c', 'echo hi'], ['--privileged'], ['ls', '-la', '--', 'x'], ['-v', '/:/h'], ['true']]);
      return [image(), ...cmd];
    }
    case 'exec':
      return [ctr(), ...pick(r, [['sh'], ['ls', '-la'], ['--privileged', 'x'], ['id', '-u']])];
    case 'pull':
    case 'push':
      return [image()];
    case 'tag':
      return [image(), `${TRUSTED}/team/other:2`];
    case 'images':
      return chance(r, 0.5) ? [] : [image()];
    case 'rmi':
      return [image()];
    case 'port':
      return chance(r, 0.5) ? [ctr()] : [ctr(), '80/tcp'];
    case 'rename':
      return [ctr(), 'newname'];
    case 'top':
      return [ctr(), ...(chance(r, 0.3) ? ['-ef'] : [])];
    case 'login':
    case 'logout':
      return chance(r, 0.7) ? [TRUSTED] : [];
    case 'ps':
    case 'version':
    case 'info':
      return [];
    default:
      return Array.from({ length: 1 + Math.floor(r() * 2) }, ctr);
  }
}

/** One flag occurrence in a random spelling (long, long=, short, short attached, short=). */
function spell(r: Rng, f: FlagSpec, value: string | null): string[] {
  const useShort = f.short !== null && !f.shorthandDeprecated && chance(r, 0.5);
  if (value === null) {
    // A bool set to true.
    if (useShort) return [`-${f.short}`];
    return chance(r, 0.2) ? [`--${f.long}=${pick(r, ['true', '1', 't', 'T', 'TRUE', 'True'])}`] : [`--${f.long}`];
  }
  if (useShort) {
    const s = r();
    if (s < 0.4) return [`-${f.short}`, value];
    if (s < 0.7 && value !== '' && value[0] !== '=') return [`-${f.short}${value}`];
    return [`-${f.short}=${value}`];
  }
  return chance(r, 0.5) || value === '' ? [`--${f.long}=${value}`] : [`--${f.long}`, value];
}

export interface Generated {
  readonly argv: string[];
  readonly command: string;
}

/** One argv. About 1 in 6 is made invalid on purpose (bad value, unknown flag, bad count…). */
export function generateArgv(r: Rng): Generated {
  const name = weighted(r);
  const spec = COMMANDS[name];
  const out: string[] = [];
  if (chance(r, 0.08))
    out.push(...pick(r, [['-D'], ['--debug'], ['-l', 'info'], ['--log-level=warn'], ['--'], ['-D=false']]));
  out.push(...pick(r, spec.aliases));
  const flags = spec.flags.filter((f) => !SKIP.has(f.long));
  const mode = r();
  const invalidAt = mode < 0.12 ? Math.floor(r() * 4) : -1;
  const n = Math.floor(r() * 5);
  const flagArgs: string[][] = [];
  for (let i = 0; i < n && flags.length > 0; i++) {
    const f = pick(r, flags);
    const bad = i === invalidAt;
    if (f.type === 'bool') {
      if (bad) flagArgs.push([`--${f.long}=${pick(r, BAD_TYPE.bool)}`]);
      else if (chance(r, 0.15)) flagArgs.push([`--${f.long}=${pick(r, ['false', '0', 'f', 'F', 'FALSE'])}`]);
      else flagArgs.push(spell(r, f, null));
    } else flagArgs.push(spell(r, f, valueFor(r, f, bad)));
  }
  // Group bool shorthands now and then: -itd, -dP=false.
  const bools = flags.filter((f) => f.type === 'bool' && f.short && !f.shorthandDeprecated);
  if (bools.length > 1 && chance(r, 0.25)) {
    const k = 2 + Math.floor(r() * 2);
    const letters = Array.from({ length: k }, () => pick(r, bools).short).join('');
    const tail = chance(r, 0.2) ? pick(r, ['=false', '=true', '=1']) : '';
    const valued = flags.filter((f) => f.short && f.type !== 'bool' && !f.shorthandDeprecated);
    if (valued.length > 0 && chance(r, 0.3) && tail === '') {
      const v = pick(r, valued);
      flagArgs.push([`-${letters}${v.short}${valueFor(r, v, false)}`]);
    } else flagArgs.push([`-${letters}${tail}`]);
  }
  if (mode >= 0.12 && mode < 0.16)
    flagArgs.push([pick(r, ['--bogus', '-Z', '--Privileged', '---x', '--=x', '-dZ', '--priv'])]);
  let pos = positionals(r, spec);
  if (mode >= 0.16 && mode < 0.2) pos = chance(r, 0.5) ? pos.slice(0, Math.max(0, pos.length - 1)) : [...pos, 'extra'];
  if (mode >= 0.2 && mode < 0.22) {
    // A value-taking flag at the very end, missing its value.
    const valued = flags.filter((f) => f.takesValue);
    if (valued.length > 0) {
      const f = pick(r, valued);
      const last = f.short && !f.shorthandDeprecated && chance(r, 0.5) ? `-${f.short}` : `--${f.long}`;
      const argv = spec.interspersed ? [...out, ...flagArgs.flat(), ...pos, last] : [...out, ...flagArgs.flat(), last];
      return { argv, command: name };
    }
  }
  const dash = chance(r, 0.1) ? ['--'] : [];
  if (spec.interspersed && chance(r, 0.3) && flagArgs.length > 0 && pos.length > 0) {
    // Flags after positionals: fine for interspersed commands.
    const k = Math.floor(r() * flagArgs.length);
    out.push(...flagArgs.slice(0, k).flat(), pos[0], ...flagArgs.slice(k).flat(), ...dash, ...pos.slice(1));
  } else out.push(...flagArgs.flat(), ...dash, ...pos);
  return { argv: out, command: name };
}

export const GLOBALS = GLOBAL_FLAGS;
