#!/usr/bin/env node
// Benchmark of `cida-docker lint` (prints figures; not a test). Needs `npm run build`.
//  1. Dockerfiles linted per second in-process, on a 300-line multi-stage Dockerfile
//     (goal ≥ 2 000/s), next to dockerfile-ast's parse alone on the same text;
//  2. wall time of `node bin/run.js lint FILE` next to `node -e 0`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { lintDockerfile } = await import(path.join(root, 'dist/dockerfile/index.js'));
const { DEFAULT_POLICY } = await import(path.join(root, 'dist/policy/policy.js'));
const policy = { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] };

/** A 300-line Dockerfile with the constructs lint reads: ARGs, stages, continuations, heredocs, mounts. */
function dockerfile300() {
  const l = [
    '# syntax=registry.example.internal/docker/dockerfile:1.7',
    'ARG BASE=registry.example.internal/base/debian',
    'ARG TAG=12',
  ];
  let stage = 0;
  while (l.length < 292) {
    l.push(
      `FROM \${BASE}:\${TAG:-12} AS s${stage}`,
      'ARG UID=10001',
      'ENV APP_HOME=/app PATH="/app/bin:$PATH"',
      'WORKDIR $APP_HOME',
    );
    for (let i = 0; i < 12 && l.length < 290; i++) {
      l.push(
        `RUN --mount=type=cache,target=/var/cache/apt apt-get update \\`,
        `    # step ${i}`,
        `    && apt-get install -y --no-install-recommends pkg${i} \\`,
        `    && rm -rf /var/lib/apt/lists/* && chmod 755 /app/bin${i}`,
        stage > 0
          ? `COPY --chown=\${UID}:\${UID} --from=s${stage - 1} src/${i} /app/src/${i}`
          : `COPY --chown=\${UID}:\${UID} src/${i} /app/src/${i}`,
      );
      if (i % 4 === 0)
        l.push(
          'RUN <<EOF',
          'set -eu',
          `curl -fsSLo /tmp/x${i}.tgz https://example.com/x${i}.tgz`,
          'tar xzf /tmp/x.tgz -C /opt',
          'EOF',
        );
    }
    stage++;
  }
  l.push('USER ${UID}', 'EXPOSE 8080', 'HEALTHCHECK CMD ["/app/bin/health"]', 'CMD ["/app/bin/run"]');
  while (l.length < 300) l.push('LABEL org.example.padding="x"');
  return l.slice(0, 300).join('\n') + '\n';
}

/** Calls per second of wall time, and per second of this process's CPU time (steadier on a busy host). */
function perSecond(fn, ms = 2000) {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let n = 0;
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { wall: (n * 1000) / wallMs, cpu: (n * 1e6) / (cpu.user + cpu.system) };
}
const fmt = (r) => `${r.wall.toFixed(0).padStart(6)} files/s wall, ${r.cpu.toFixed(0).padStart(6)} files/s of CPU time`;

const text = dockerfile300();
const sample = lintDockerfile(text, policy, { file: 'bench.Dockerfile' });
console.log(
  `300-line Dockerfile: ${text.split('\n').length - 1} lines, ${sample.findings.length} findings, approvable=${sample.approvable}`,
);
const lintRate = perSecond(() => lintDockerfile(text, policy, { file: 'bench.Dockerfile' }));
console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
console.log(
  `in-process lint:            ${fmt(lintRate)}  (goal ≥ 2000/s) ${lintRate.wall >= 2000 ? 'ok' : 'BELOW GOAL (wall)'}`,
);
try {
  const { DockerfileParser } = await import('dockerfile-ast');
  const astRate = perSecond(() => DockerfileParser.parse(text), 1000);
  console.log(`dockerfile-ast parse alone: ${fmt(astRate)}  (why lint has its own lexer)`);
} catch {
  // dockerfile-ast not installed: nothing to compare
}

// Wall time: median of N runs of each command.
const file = path.join(os.tmpdir(), `cida-bench-${process.pid}.Dockerfile`);
fs.writeFileSync(file, text);
const policyFile = path.join(root, 'test/corpus/policy.json');
// A developer's environment, not root's: an inherited NODE_EXTRA_CA_CERTS (CI sets one) makes every
// node start read a CA bundle, which slows node -e 0 and flatters the ratios.
const CLEAN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

function wall(args, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: CLEAN_ENV });
    times.push(performance.now() - t);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
const bare = wall(['-e', '0']);
const lintWall = wall(['bin/run.js', 'lint', '--policy', policyFile, file]);
const lintJson = wall(['bin/run.js', 'lint', '--format', 'json', '--policy', policyFile, file]);
fs.rmSync(file);
console.log(`node -e 0:                  ${bare.toFixed(0).padStart(6)} ms (median of 15)`);
console.log(
  `cida-docker lint FILE:      ${lintWall.toFixed(0).padStart(6)} ms  (${(lintWall / bare).toFixed(1)}× node -e 0)`,
);
console.log(
  `cida-docker lint --format json: ${lintJson.toFixed(0).padStart(2)} ms  (${(lintJson / bare).toFixed(1)}× node -e 0)`,
);
