#!/usr/bin/env node
// Benchmark of the hot paths a developer feels (prints figures; not a test, never fails):
//   `cida-docker ps` as a developer next to its floor, 2 × `node -e 0` + root's `sudo -n docker ps`
//   (goal ≤ 1.15 × the floor); `check -- ps` and `lint FILE` next to `node -e 0` (goal ≤ 1.5 ×);
//   peak RSS of the front end and of the broker for `ps` (goal ≤ 80 MiB each).
// Every command runs in the same rounds, in a fresh random order each round; medians and spread
// (p10–p90) are printed. Uses the installed package (`cida-docker` on PATH, the broker setup
// installed). Needs root, an engine and the developer account (CIDA_BENCH_USER, default
// cida-dev1; e2e/setup-host.sh). Shares the engine and the policy with the e2e tests: run it under
// their lock (`flock /tmp/cida-e2e.lock node bench/ps.mjs`; bench/run.mjs does). CIDA_BENCH_ROUNDS.
//
// The developer's commands are timed by a small driver that runs as the developer for the whole
// benchmark (started once with setpriv: no PAM, no login shell) and times each command itself,
// from spawn to exit, as a developer's shell would: the user switch is paid once, outside every
// figure, and never subtracted. The driver also times `node -e 0` as the developer, so a
// difference between the two users' node would show.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const DOCKER = '/usr/local/bin/docker';
const SUDO = '/usr/bin/sudo';
const BROKER = '/usr/local/lib/cida-docker/broker';
const USER = process.env.CIDA_BENCH_USER ?? 'cida-dev1';
const ROUNDS = Number(process.env.CIDA_BENCH_ROUNDS ?? 30);
const RSS_RUNS = 8;

const which = spawnSync('sh', ['-c', 'command -v cida-docker'], { encoding: 'utf8' }).stdout.trim();
const pw = spawnSync('getent', ['passwd', USER], { encoding: 'utf8' }).stdout.trim().split(':');
if (
  process.getuid?.() !== 0 ||
  !fs.existsSync(BROKER) ||
  which === '' ||
  pw.length < 7 ||
  spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status !== 0
) {
  console.log(`bench/ps: skipped (needs root, an installed cida-docker and broker, a running engine and ${USER})`);
  process.exit(0);
}
const [, , uid, gid, , home] = pw;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-bench-ps-'));
fs.chmodSync(dir, 0o755);
const dockerfile = path.join(dir, 'Dockerfile');
fs.writeFileSync(
  dockerfile,
  [
    'FROM registry.example.internal/base/debian:12 AS build',
    'ARG UID=10001',
    'WORKDIR /src',
    'COPY --chown=${UID}:${UID} . /src',
    'RUN --mount=type=cache,target=/root/.cache make -j4 && make install DESTDIR=/out',
    'FROM registry.example.internal/base/debian:12',
    'COPY --from=build /out/ /',
    'USER 10001',
    'EXPOSE 8080',
    'CMD ["/usr/local/bin/app"]',
    '',
  ].join('\n'),
  { mode: 0o644 },
);

// The driver: one line in (a JSON argv), one line out (milliseconds, exit code).
const driver = path.join(dir, 'driver.mjs');
fs.writeFileSync(
  driver,
  `import { spawnSync } from 'node:child_process';
import readline from 'node:readline';
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [cmd, ...args] = JSON.parse(line);
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  process.stdout.write(JSON.stringify({ ms, code: r.status, err: String(r.stderr ?? '').slice(-400) }) + '\\n');
}
`,
  { mode: 0o644 },
);
const userEnv = [
  `HOME=${home}`,
  `USER=${USER}`,
  `LOGNAME=${USER}`,
  'PATH=/usr/local/bin:/usr/bin:/bin',
  'LANG=C.UTF-8',
];
const child = spawn(
  'setpriv',
  [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', 'env', '-i', ...userEnv, process.execPath, driver],
  { stdio: ['pipe', 'pipe', 'inherit'], cwd: dir },
);
const replies = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
async function asUser(argv) {
  child.stdin.write(`${JSON.stringify(argv)}\n`);
  const { value, done } = await replies.next();
  if (done) throw new Error('the driver ended');
  return JSON.parse(value);
}
// Root's commands get a clean environment too: an inherited NODE_EXTRA_CA_CERTS, say, makes every
// node start read a CA bundle and would slow root's node -e 0 (and so the floor) by tens of ms.
const rootEnv = { HOME: '/root', PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
function asRoot(argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, env: rootEnv });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, code: r.status, err: String(r.stderr ?? '').slice(-400) };
}

const node = process.execPath;
const CASES = {
  node: () => asRoot([node, '-e', '0']),
  nodeDev: () => asUser([node, '-e', '0']),
  dockerPs: () => asRoot([SUDO, '-n', DOCKER, 'ps']),
  cidaPs: () => asUser(['cida-docker', 'ps']),
  check: () => asUser(['cida-docker', 'check', '--', 'ps']),
  lint: () => asUser(['cida-docker', 'lint', dockerfile]),
};
const LABEL = {
  node: 'node -e 0 (root)',
  nodeDev: `node -e 0 (${USER})`,
  dockerPs: 'sudo -n docker ps (root)',
  cidaPs: `cida-docker ps (${USER})`,
  check: `cida-docker check -- ps (${USER})`,
  lint: `cida-docker lint FILE (${USER})`,
};

function shuffle(a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

try {
  const times = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  const failures = {};
  for (let round = -2; round < ROUNDS; round++) {
    for (const k of shuffle(Object.keys(CASES))) {
      const r = await CASES[k]();
      // lint exits 1 on findings; everything else must succeed for its time to count
      if (r.code !== 0 && !(k === 'lint' && r.code === 1)) {
        failures[k] ??= `exit ${r.code}: ${r.err.trim()}`;
        continue;
      }
      if (round >= 0) times[k].push(r.ms);
    }
  }
  const med = {};
  console.log(`${ROUNDS} interleaved rounds; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
  console.log(`  ${'command'.padEnd(34)} ${'median'.padStart(8)}  p10–p90`);
  for (const k of Object.keys(CASES)) {
    const s = times[k].sort((a, b) => a - b);
    if (s.length === 0) {
      console.log(`  ${LABEL[k].padEnd(34)}   failed: ${failures[k]}`);
      continue;
    }
    med[k] = q(s, 0.5);
    console.log(
      `  ${LABEL[k].padEnd(34)} ${med[k].toFixed(1).padStart(6)} ms  ${q(s, 0.1).toFixed(0)}–${q(s, 0.9).toFixed(0)} ms` +
        (failures[k] ? `  (some runs failed: ${failures[k]})` : ''),
    );
  }
  // The front end's figures are set against the developer's own node -e 0 (same driver, same
  // environment); the two node -e 0 rows should agree.
  const base = med.nodeDev ?? med.node;
  if (base && med.dockerPs && med.cidaPs) {
    const floor = 2 * base + med.dockerPs;
    console.log(`floor = 2 × node -e 0 + sudo -n docker ps = ${floor.toFixed(1)} ms`);
    console.log(`cida-docker ps / floor = ${(med.cidaPs / floor).toFixed(2)}× (goal ≤ 1.15×)`);
  }
  if (med.node && med.check)
    console.log(`check -- ps / node -e 0 = ${(med.check / med.node).toFixed(2)}× (goal ≤ 1.5×)`);
  if (med.node && med.lint) console.log(`lint FILE / node -e 0 = ${(med.lint / med.node).toFixed(2)}× (goal ≤ 1.5×)`);

  // Peak RSS, in runs of their own (the polling costs CPU): VmHWM of the developer's front end and
  // of the broker's node, read from /proc every 2 ms while they live; and, from getrusage through
  // /usr/bin/time, the largest process of the whole tree (front end, sudo, launcher, broker) as a
  // bound the polling cannot miss.
  const peaks = { frontEnd: 0, broker: 0, tree: 0 };
  const poll = () => {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        // Read afresh each time: a pid seen between fork and exec still shows its parent's command line.
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        const kind = /^\S*node \S*broker\.mjs/.test(cmd)
          ? 'broker'
          : /^\S*node \S*cida-docker ps\s*$/.test(cmd)
            ? 'frontEnd'
            : null;
        if (kind === null) continue;
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        peaks[kind] = Math.max(peaks[kind], hwm);
      } catch {
        // gone
      }
    }
  };
  const timer = setInterval(poll, 2);
  for (let i = 0; i < RSS_RUNS; i++) {
    const r = await asUser(['/usr/bin/time', '-f', '%M', 'cida-docker', 'ps']);
    const kib = Number(/(\d+)\s*$/.exec(r.err)?.[1] ?? 0);
    peaks.tree = Math.max(peaks.tree, kib);
    await new Promise((res) => setTimeout(res, 20));
  }
  clearInterval(timer);
  const mib = (k) => (k / 1024).toFixed(1);
  console.log(
    `peak RSS for ps (${RSS_RUNS} runs): front end ${mib(peaks.frontEnd)} MiB, broker ${mib(peaks.broker)} MiB, ` +
      `largest process of the tree ${mib(peaks.tree)} MiB (goal ≤ 80 MiB each)`,
  );
} finally {
  child.stdin.end();
  fs.rmSync(dir, { recursive: true, force: true });
}
