#!/usr/bin/env node
// Benchmark of `cida-docker build` (prints figures; not a test): a 200 MB, 20 000-file context
// built through cida-docker (packed by the front end, streamed through sudo and the broker) next to
// root's own `docker build` of the same directory. Goals: ≥ 90 % of docker's throughput; peak RSS
// of the front end and of the broker ≤ 80 MiB each (the context is streamed, never buffered).
// Needs root, the installed package (`cida-docker setup`), an engine and the test registry
// (e2e/setup-host.sh). Shares the engine and policy with the e2e tests: run it under their lock
// (`flock /tmp/cida-e2e.lock node bench/build.mjs`; bench/run.mjs does). Sizes: CIDA_BENCH_MB, CIDA_BENCH_FILES.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKER = '/usr/local/bin/docker';
const POLICY = '/etc/cida-docker/policy.json';
const REGISTRY = 'registry.example.internal:5000';
const MB = Number(process.env.CIDA_BENCH_MB ?? 200);
const FILES = Number(process.env.CIDA_BENCH_FILES ?? 20000);

if (
  process.getuid?.() !== 0 ||
  !fs.existsSync('/usr/local/lib/cida-docker/broker') ||
  spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status !== 0
) {
  console.log('bench/build: skipped (needs root, an installed broker and a running engine)');
  process.exit(0);
}

const { ApprovalStore } = await import(path.join(root, 'dist/approvals/store.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-bench-build-'));
const ctx = path.join(dir, 'ctx');
const per = Math.floor((MB * 1e6) / FILES);
const chunk = Buffer.alloc(per);
for (let i = 0; i < FILES; i++) {
  const d = path.join(ctx, `d${i % 100}`);
  if (i < 100) fs.mkdirSync(d, { recursive: true });
  chunk.writeUInt32LE(i, 0); // every file different
  fs.writeFileSync(path.join(d, `f${i}`), chunk);
}
const dockerfile = `FROM ${REGISTRY}/base/busybox:1\nUSER 1000\n# bench ${process.pid}\n`;
fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
const repo = `${REGISTRY}/bench/build`;
const saved = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
fs.writeFileSync(POLICY, JSON.stringify({ trustedRegistries: [REGISTRY], build: { maxContextBytes: 4 * 1024 ** 3 } }), {
  mode: 0o644,
});
const store = new ApprovalStore({ root: '/var/lib/cida-docker/approvals', owner: 0, checkParent: true });
const { approval } = store.request({
  dockerfile: Buffer.from(dockerfile),
  repository: repo,
  requester: { user: 'bench-requester', uid: 99998 },
  findings: [],
});
if (approval.state === 'pending') store.transition(approval.id, 'approve', { user: 'bench-reviewer', uid: 99999 });

/** Peak RSS (VmHWM, KiB) of processes whose command line matches, polled while `run` runs. */
async function withPeaks(matchers, run) {
  const peaks = Object.fromEntries(Object.keys(matchers).map((k) => [k, 0]));
  const poll = () => {
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmd;
      let status;
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue;
      }
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      for (const [k, re] of Object.entries(matchers)) if (re.test(cmd)) peaks[k] = Math.max(peaks[k], hwm);
    }
  };
  const timer = setInterval(poll, 50);
  const result = await run();
  clearInterval(timer);
  return { result, peaks };
}

function timed(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, s: Number(process.hrtime.bigint() - t) / 1e9, err }));
  });
}

try {
  const bytes = MB * 1e6;
  // warm the page cache and the base image once
  spawnSync('tar', ['-cf', '/dev/null', '-C', ctx, '.']);
  const raw = await timed(DOCKER, ['build', '-q', '-t', `${repo}:raw`, ctx], { ...process.env, DOCKER_BUILDKIT: '0' });
  const { result: ours, peaks } = await withPeaks(
    { frontEnd: /(cida-docker|bin\/run\.js) build/, broker: /^(?!sudo).*(lib\/cida-docker\/broker|broker\.(m?js))/ },
    () => timed('cida-docker', ['build', '-q', '-t', `${repo}:ours`, ctx], { ...process.env, CI: 'true' }),
  );
  if (raw.code !== 0 || ours.code !== 0) {
    console.log(`bench/build: a build failed (docker ${raw.code}, cida-docker ${ours.code})\n${raw.err}\n${ours.err}`);
    process.exitCode = 1;
  } else {
    const rawRate = bytes / 1e6 / raw.s;
    const ourRate = bytes / 1e6 / ours.s;
    const mib = (k) => (k / 1024).toFixed(1);
    console.log(`context: ${FILES} files, ${MB} MB`);
    console.log(`docker build (root):   ${raw.s.toFixed(2)} s  ${rawRate.toFixed(1)} MB/s`);
    console.log(
      `cida-docker build:     ${ours.s.toFixed(2)} s  ${ourRate.toFixed(1)} MB/s  (${((ourRate / rawRate) * 100).toFixed(0)} % of docker's; goal ≥ 90 %)`,
    );
    console.log(`peak RSS: front end ${mib(peaks.frontEnd)} MiB, broker ${mib(peaks.broker)} MiB (goal ≤ 80 MiB each)`);
  }
} finally {
  if (saved) fs.writeFileSync(POLICY, saved);
  spawnSync(DOCKER, ['rmi', '-f', `${repo}:raw`, `${repo}:ours`], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}
