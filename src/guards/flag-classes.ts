// The allowlist: every flag of every supported command is classified here, so that a flag nobody
// looked at is a decision, not an accident. A flag docker adds later is unclassified and refused
// (rule `unclassified-flag`) until someone adds it here.
//   'allow'            — allowed with any value docker accepts
//   { refuse: id }     — refused whenever given, with any value, by rule `id`
//   { check: id }      — allowed, but rule `id` checks its value
// Hidden aliases (`--net`) are parsed into their canonical flag (`network`) and classified there.

export type FlagClass = 'allow' | { readonly refuse: string } | { readonly check: string };

/** The docker verbs cida-docker supports, by canonical name. */
export const SUPPORTED_COMMANDS = [
  'build', 'run', 'push', 'ps', 'logs', 'stop', 'start', 'restart', 'rm', 'exec', 'inspect', 'port',
  'images', 'pull', 'tag', 'rmi', 'login', 'logout', 'version', 'info', 'top', 'wait', 'kill', 'stats',
] as const;
export type SupportedCommand = (typeof SUPPORTED_COMMANDS)[number];

const refuse = (id: string): FlagClass => ({ refuse: id });
const check = (id: string): FlagClass => ({ check: id });

/** Global flags (before the command name). */
export const GLOBAL_FLAG_CLASSES: Readonly<Record<string, FlagClass>> = {
  config: refuse('engine-override'),
  debug: 'allow',
  'log-level': 'allow',
  tls: refuse('engine-override'),
  tlsverify: refuse('engine-override'),
  tlscacert: refuse('engine-override'),
  tlscert: refuse('engine-override'),
  tlskey: refuse('engine-override'),
  host: refuse('engine-override'),
  context: refuse('engine-override'),
  version: 'allow',
  help: 'allow',
};

/** The container flags `run` shares with `create` (and partly with exec/build/update). */
const CONTAINER: Record<string, FlagClass> = {
  // Host filesystem and the engine's own socket.
  volume: refuse('host-mount'),
  'volumes-from': refuse('host-mount'),
  'volume-driver': refuse('host-mount'),
  'use-api-socket': refuse('host-mount'),
  mount: check('host-mount'),
  tmpfs: check('resource-limits'),
  'read-only': 'allow',
  'storage-opt': refuse('kernel-override'),
  // Privilege, capabilities, devices.
  privileged: refuse('privileged'),
  'cap-add': refuse('capabilities-devices'),
  'cap-drop': 'allow',
  device: refuse('capabilities-devices'),
  'device-cgroup-rule': refuse('capabilities-devices'),
  'device-read-bps': refuse('capabilities-devices'),
  'device-read-iops': refuse('capabilities-devices'),
  'device-write-bps': refuse('capabilities-devices'),
  'device-write-iops': refuse('capabilities-devices'),
  'blkio-weight-device': refuse('capabilities-devices'),
  gpus: refuse('capabilities-devices'),
  // Namespaces.
  network: check('host-namespace'),
  pid: check('host-namespace'),
  ipc: check('host-namespace'),
  uts: check('host-namespace'),
  userns: check('host-namespace'),
  cgroupns: check('host-namespace'),
  link: refuse('host-namespace'),
  'network-alias': 'allow',
  ip: 'allow',
  ip6: 'allow',
  'link-local-ip': 'allow',
  // A chosen MAC can be another container's on the shared bridge (the engine does not check):
  // the bridge then forwards that container's frames here. Refused (host-namespace checks it).
  'mac-address': check('host-namespace'),
  hostname: 'allow',
  domainname: 'allow',
  dns: 'allow',
  'dns-option': 'allow',
  'dns-search': 'allow',
  'add-host': 'allow',
  // Kernel and security overrides.
  'security-opt': check('kernel-override'),
  sysctl: refuse('kernel-override'),
  runtime: refuse('kernel-override'),
  isolation: refuse('kernel-override'),
  annotation: refuse('kernel-override'),
  'log-driver': check('kernel-override'),
  'log-opt': check('resource-limits'),
  // Resource limits: allowed with real values, refused where the value removes the limit.
  'oom-kill-disable': refuse('resource-limits'),
  'oom-score-adj': check('resource-limits'),
  'pids-limit': check('resource-limits'),
  memory: check('resource-limits'),
  'memory-swap': check('resource-limits'),
  'memory-reservation': 'allow',
  'memory-swappiness': 'allow',
  'kernel-memory': refuse('resource-limits'),
  'cpu-rt-period': refuse('resource-limits'),
  'cpu-rt-runtime': refuse('resource-limits'),
  'cgroup-parent': refuse('resource-limits'),
  ulimit: check('resource-limits'),
  'shm-size': check('resource-limits'),
  cpus: 'allow',
  'cpu-period': 'allow',
  'cpu-quota': 'allow',
  'cpu-shares': 'allow',
  'cpuset-cpus': 'allow',
  'cpuset-mems': 'allow',
  'cpu-count': 'allow',
  'cpu-percent': 'allow',
  'io-maxbandwidth': 'allow',
  'io-maxiops': 'allow',
  'blkio-weight': 'allow',
  // Users.
  user: check('root-user'),
  'group-add': check('root-user'),
  // Ports and the detached-service contract.
  publish: check('published-ports'),
  'publish-all': check('detached-service'),
  detach: check('detached-service'),
  attach: refuse('detached-service'),
  expose: check('published-ports'),
  // Files on the host that the docker CLI would open as root.
  'env-file': refuse('host-files'),
  'label-file': refuse('host-files'),
  cidfile: refuse('host-files'),
  // Labels.
  label: check('reserved-label'),
  // Everything else a service needs.
  name: 'allow',
  env: 'allow',
  entrypoint: 'allow',
  workdir: 'allow',
  init: 'allow',
  restart: 'allow',
  rm: 'allow',
  'stop-signal': 'allow',
  'stop-timeout': 'allow',
  'health-cmd': 'allow',
  'health-interval': 'allow',
  'health-retries': 'allow',
  'health-start-interval': 'allow',
  'health-start-period': 'allow',
  'health-timeout': 'allow',
  'no-healthcheck': 'allow',
  interactive: 'allow',
  tty: 'allow',
  'sig-proxy': 'allow',
  'detach-keys': 'allow',
  platform: 'allow',
  pull: 'allow',
  'disable-content-trust': 'allow',
  quiet: 'allow',
  help: 'allow',
};

const pick = (names: string[], overrides: Record<string, FlagClass> = {}): Record<string, FlagClass> => ({
  ...Object.fromEntries(names.map((n) => [n, CONTAINER[n] ?? 'allow'])),
  ...overrides,
});

export const FLAG_CLASSES: Readonly<Record<SupportedCommand, Readonly<Record<string, FlagClass>>>> = {
  run: CONTAINER,
  exec: pick(['detach', 'detach-keys', 'env', 'interactive', 'privileged', 'tty', 'user', 'workdir', 'help'], {
    detach: 'allow',
    'env-file': refuse('host-files'),
  }),
  build: {
    'add-host': 'allow',
    'build-arg': 'allow',
    'cache-from': check('trusted-image'),
    'cgroup-parent': refuse('resource-limits'),
    compress: 'allow',
    'cpu-period': 'allow',
    'cpu-quota': 'allow',
    'cpu-shares': 'allow',
    'cpuset-cpus': 'allow',
    'cpuset-mems': 'allow',
    'disable-content-trust': 'allow',
    file: check('build-context'),
    'force-rm': 'allow',
    iidfile: refuse('host-files'),
    isolation: refuse('kernel-override'),
    label: check('reserved-label'),
    memory: check('resource-limits'),
    'memory-swap': check('resource-limits'),
    network: check('host-namespace'),
    'no-cache': 'allow',
    platform: 'allow',
    pull: 'allow',
    quiet: 'allow',
    rm: 'allow',
    'security-opt': check('kernel-override'),
    'shm-size': check('resource-limits'),
    squash: 'allow',
    tag: check('trusted-image'),
    target: 'allow',
    ulimit: check('resource-limits'),
    help: 'allow',
  },
  push: { 'all-tags': 'allow', 'disable-content-trust': 'allow', platform: 'allow', quiet: 'allow', help: 'allow' },
  pull: { 'all-tags': 'allow', 'disable-content-trust': 'allow', platform: 'allow', quiet: 'allow', help: 'allow' },
  ps: { all: 'allow', filter: 'allow', format: 'allow', last: 'allow', latest: 'allow', 'no-trunc': 'allow', quiet: 'allow', size: 'allow', help: 'allow' },
  logs: { details: 'allow', follow: 'allow', since: 'allow', tail: 'allow', timestamps: 'allow', until: 'allow', help: 'allow' },
  stop: { signal: 'allow', timeout: 'allow', help: 'allow' },
  restart: { signal: 'allow', timeout: 'allow', help: 'allow' },
  start: {
    attach: 'allow',
    checkpoint: refuse('kernel-override'),
    'checkpoint-dir': refuse('kernel-override'),
    'detach-keys': 'allow',
    interactive: 'allow',
    help: 'allow',
  },
  rm: { force: 'allow', link: 'allow', volumes: 'allow', help: 'allow' },
  inspect: { format: 'allow', size: 'allow', type: 'allow', help: 'allow' },
  port: { help: 'allow' },
  images: { all: 'allow', digests: 'allow', filter: 'allow', format: 'allow', 'no-trunc': 'allow', quiet: 'allow', tree: 'allow', help: 'allow' },
  tag: { help: 'allow' },
  // Which tags a developer may remove is the broker's decision (their own builds only).
  rmi: { force: 'allow', 'no-prune': 'allow', platform: 'allow', help: 'allow' },
  login: { password: 'allow', 'password-stdin': 'allow', username: 'allow', help: 'allow' },
  logout: { help: 'allow' },
  version: { format: 'allow', help: 'allow' },
  info: { format: 'allow', help: 'allow' },
  top: { help: 'allow' },
  wait: { help: 'allow' },
  kill: { signal: 'allow', help: 'allow' },
  stats: { all: 'allow', format: 'allow', 'no-stream': 'allow', 'no-trunc': 'allow', help: 'allow' },
};
