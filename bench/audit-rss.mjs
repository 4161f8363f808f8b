#!/usr/bin/env node
// Peak memory of `cida-docker audit` over a large log (prints figures; not a test). Needs `npm run build`.
// Writes a synthetic log (default 500 MB, CIDA_AUDIT_BENCH_MB) to a temporary file, then reads it in
// a fresh process each way, output to /dev/null, and prints each one's peak RSS:
//   whole   the old way: readFileSync of the whole log, filterLog, one write of the result
//   stream  the broker's way now: filterLogStream over a read stream, written with back-pressure
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const audit = path.join(root, 'dist/broker/audit.js');
const mode = process.argv[2];

if (mode === 'whole' || mode === 'stream') {
  const file = process.argv[3];
  const { filterLog, filterLogStream, drainingWriter } = await import(audit);
  const filter = { user: 'dev1', since: new Date('2024-01-01T00:00:00Z') };
  const t0 = Date.now();
  if (mode === 'whole') {
    const text = fs.readFileSync(file, 'utf8');
    process.stdout.write(
      filterLog(text, filter)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
  } else {
    const input = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
    await filterLogStream(input, filter, drainingWriter(process.stdout));
  }
  process.stderr.write(`${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, ms: Date.now() - t0 })}\n`);
  process.exit(0);
}

const mb = Number(process.env.CIDA_AUDIT_BENCH_MB ?? 500);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-audit-bench-'));
const file = path.join(dir, 'audit.jsonl');
const fd = fs.openSync(file, 'w');
const users = ['dev1', 'dev2', 'jenkins'];
let bytes = 0;
let n = 0;
const batch = [];
while (bytes < mb * 1e6) {
  const r = {
    time: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
    id: n.toString(16).padStart(16, '0'),
    phase: n % 2 ? 'outcome' : 'decision',
    uid: 1000 + (n % 3),
    user: users[n % 3],
    kind: 'docker',
    claims: { cwd: `/home/${users[n % 3]}/src/project-${n % 97}` },
    argv: ['run', '-d', '-e', 'A=***', '--name', `svc-${n}`, 'registry.example.internal/team/app:1.0'],
    verdict: 'allowed',
    rules: [],
  };
  const line = `${JSON.stringify(r)}\n`;
  batch.push(line);
  bytes += line.length;
  n++;
  if (batch.length === 10_000) {
    fs.writeSync(fd, batch.join(''));
    batch.length = 0;
  }
}
fs.writeSync(fd, batch.join(''));
fs.closeSync(fd);
process.stdout.write(`log: ${(bytes / 1e6).toFixed(0)} MB, ${n} lines\n`);
for (const m of ['whole', 'stream']) {
  const out = fs.openSync('/dev/null', 'w');
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m, file], {
    stdio: ['ignore', out, 'pipe'],
    encoding: 'utf8',
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  let fig = null;
  try {
    fig = JSON.parse(last);
  } catch {
    // a crash: its message is the figure
  }
  process.stdout.write(
    fig
      ? `${m.padEnd(6)}  peak RSS ${(fig.maxRssKiB / 1024).toFixed(0)} MiB  ${(fig.ms / 1000).toFixed(1)} s\n`
      : `${m.padEnd(6)}  failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}\n`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
