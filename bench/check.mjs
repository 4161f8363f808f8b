#!/usr/bin/env node
// Benchmark of the enforcement spine (prints figures; not a test). Needs `npm run build`.
//  1. argv decided per second in-process (goal ≥ 20 000/s)
//  2. wall time of `cida-docker check -- ps` next to `node -e 0` (goal ≤ 1.5×), and what each
//     piece of start-up costs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { decide } = await import(path.join(root, 'dist/guards/index.js'));
const { DEFAULT_POLICY } = await import(path.join(root, 'dist/policy/policy.js'));
const policy = { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] };

const IMG = 'registry.example.internal/team/app:1.0';
const ARGVS = [
  ['run', '-d', '-p', '49200:80', '-e', 'A=1', '--name', 'web', IMG],
  ['run', '-itdP', '--rm', '-u', '1000:1000', IMG, 'sh', '-c', 'echo hi'],
  ['run', '-dPv/:/host', IMG],
  ['run', '--privileged=false', IMG],
  ['run', '--net=host', '--memory', '512m', '--pids-limit', '0x100', IMG],
  ['run', '--mount', 'type=tmpfs,destination=/tmp', '--security-opt', 'no-new-privileges', IMG],
  ['container', 'run', '--cap-add', 'SYS_ADMIN', IMG],
  ['ps', '-a', '--format', '{{.ID}}', '--filter', 'status=running'],
  ['logs', '-f', '--tail', '100', 'web'],
  ['exec', '-it', 'web', 'sh'],
  ['build', '-t', 'registry.example.internal/team/app:2', '-f', 'Dockerfile', '.'],
  ['push', 'registry.example.internal/team/app:2'],
  ['pull', 'alpine'],
  ['-H', 'tcp://evil:2375', 'ps'],
  ['volume', 'ls'],
];

function decideAll() {
  let n = 0;
  for (const argv of ARGVS) {
    try {
      decide(argv, policy, { user: 'dev', uid: 1000 });
    } catch {
      // usage errors are decisions too
    }
    n++;
  }
  return n;
}

for (let i = 0; i < 2000; i++) decideAll(); // warm up
let decided = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < 2e9) {
  decided += decideAll();
  elapsed = Number(process.hrtime.bigint() - start);
}
const perSecond = Math.round(decided / (elapsed / 1e9));
console.log(`in-process: ${perSecond} argv decided per second (goal ≥ 20000) over ${ARGVS.length} mixed argvs`);

// A developer's environment, not root's: an inherited NODE_EXTRA_CA_CERTS (CI sets one) makes every
// node start read a CA bundle, which slows node -e 0 and flatters the ratios.
const CLEAN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

function wall(cmd, args, runs = 15) {
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = process.hrtime.bigint();
    spawnSync(cmd, args, { cwd: root, stdio: 'ignore', env: CLEAN_ENV });
    if (i >= 2) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const node = process.execPath;
const baseline = wall(node, ['-e', '0']);
const rows = [
  ['node -e 0', baseline],
  ['cida-docker check -- ps', wall(node, ['bin/run.js', 'check', '--', 'ps'])],
  ['cida-docker check -- run … (refused)', wall(node, ['bin/run.js', 'check', '--', 'run', '--privileged', IMG])],
  [
    'import dist/lean/lean.js (the entry)',
    wall(node, ['--input-type=module', '-e', "await import('./dist/lean/lean.js')"]),
  ],
  ['import @oclif/core (all of it)', wall(node, ['--input-type=module', '-e', "await import('@oclif/core')"])],
  ['cida-docker --help (oclif)', wall(node, ['bin/run.js', '--help'])],
];
console.log('wall time, median of 15 runs:');
for (const [name, ms] of rows)
  console.log(`  ${name.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / baseline).toFixed(2)}×`);
console.log(`check -- ps / node -e 0 = ${(rows[1][1] / baseline).toFixed(2)}× (goal ≤ 1.5×)`);
