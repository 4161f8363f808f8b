// Differential test against docker itself: the real docker 28.2.2 client, run against a recording
// fake engine, must accept exactly the argvs our parser accepts; and for argvs decide() allows,
// what docker would send to the engine must carry no host mount, privilege, host namespace, added
// capability, device or root user. Seed: CIDA_DIFF_SEED (printed; `random` for a new one); count: CIDA_DIFF_COUNT.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/docker/model.js';
import { parseDockerArgv } from '../../src/docker/parse.js';
import { decide } from '../../src/guards/index.js';
import { TEST_POLICY } from '../../src/guards/test-helpers.js';
import { generateArgv, rng } from './generate.js';
import { DOCKER, type DockerResult, startWorker, type Worker } from './harness.js';

// A fixed seed by default, so CI is repeatable; CIDA_DIFF_SEED=random explores new argvs.
const SEED_ENV = process.env.CIDA_DIFF_SEED ?? '20261127';
const SEED = SEED_ENV === 'random' ? Date.now() % 1_000_000 : Number(SEED_ENV);
// `npm test` runs a quick sample; `npm run test:differential` runs the full 2 000 (CIDA_DIFF_COUNT).
const COUNT = Number(process.env.CIDA_DIFF_COUNT ?? 150);
const WORKERS = Number(process.env.CIDA_DIFF_WORKERS ?? 4);

// uid 0 by number or name, or an empty user part (`:1000`, `:`), which GetExecUser reads as uid 0.
const ROOT_USER = /^(?:(?:0+|[+-]0+|root)(?::.*)?|:.*)$/;
const HOST_OR_CONTAINER = (v: unknown) => typeof v === 'string' && (v === 'host' || v.startsWith('container:'));

/** What must never reach the engine for an argv the rules allow. Returns the problems found. */
export function unsafe(r: DockerResult): string[] {
  const out: string[] = [];
  if (r.create) {
    const hc = (r.create.HostConfig ?? {}) as Record<string, unknown>;
    const cfg = (r.create.Config ?? r.create) as Record<string, unknown>;
    const nonEmpty = (v: unknown) =>
      Array.isArray(v)
        ? v.length > 0
        : v !== null &&
          v !== undefined &&
          v !== '' &&
          !(typeof v === 'object' && Object.keys(v as object).length === 0);
    if (nonEmpty(hc.Binds)) out.push(`Binds ${JSON.stringify(hc.Binds)}`);
    const mounts = (hc.Mounts ?? []) as { Type?: string }[];
    if (mounts.some((m) => m.Type !== 'tmpfs')) out.push(`Mounts ${JSON.stringify(mounts)}`);
    if (nonEmpty(hc.VolumesFrom)) out.push(`VolumesFrom ${JSON.stringify(hc.VolumesFrom)}`);
    if (nonEmpty(cfg.Volumes)) out.push(`Volumes ${JSON.stringify(cfg.Volumes)}`);
    if (hc.Privileged) out.push('Privileged');
    for (const k of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode'])
      if (HOST_OR_CONTAINER(hc[k])) out.push(`${k} ${String(hc[k])}`);
    if (nonEmpty(hc.CapAdd)) out.push(`CapAdd ${JSON.stringify(hc.CapAdd)}`);
    if (nonEmpty(hc.Devices)) out.push(`Devices ${JSON.stringify(hc.Devices)}`);
    if (nonEmpty(hc.DeviceRequests)) out.push(`DeviceRequests ${JSON.stringify(hc.DeviceRequests)}`);
    if (typeof cfg.User === 'string' && ROOT_USER.test(cfg.User)) out.push(`User ${cfg.User}`);
    // A chosen MAC can be another container's on the shared bridge.
    if (nonEmpty(cfg.MacAddress)) out.push(`MacAddress ${String(cfg.MacAddress)}`);
    const endpoints =
      (r.create.NetworkingConfig as { EndpointsConfig?: Record<string, { MacAddress?: string }> } | undefined)
        ?.EndpointsConfig ?? {};
    for (const [net, ep] of Object.entries(endpoints))
      if (nonEmpty(ep?.MacAddress)) out.push(`MacAddress ${net} ${String(ep.MacAddress)}`);
  }
  if (r.exec) {
    if (r.exec.Privileged) out.push('exec Privileged');
    if (typeof r.exec.User === 'string' && ROOT_USER.test(r.exec.User)) out.push(`exec User ${r.exec.User}`);
  }
  return out;
}

async function pool<T, R>(items: readonly T[], workers: Worker[], fn: (w: Worker, t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    workers.map(async (w) => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(w, items[i]);
      }
    }),
  );
  return out;
}

describe.skipIf(!existsSync(DOCKER))('differential: our parser vs the docker 28.2.2 client', () => {
  let workers: Worker[] = [];
  beforeAll(async () => {
    workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
  });

  it(`accepts exactly what docker accepts, and what we allow reaches the engine harmless (seed ${SEED})`, async () => {
    console.log(`differential seed: ${SEED} (CIDA_DIFF_SEED=${SEED} to replay), ${COUNT} argvs`);
    const r = rng(SEED);
    const argvs = Array.from({ length: COUNT }, () => generateArgv(r).argv);
    const started = Date.now();
    const results = await pool(argvs, workers, (w, argv) => w.run(argv));
    const mismatches: string[] = [];
    const others: string[] = [];
    const unsafeFound: string[] = [];
    const counts = { accepted: 0, usage: 0, env: 0, semantic: 0, other: 0, allowed: 0, allowedChecked: 0 };
    const finals: { argv: string[]; from: readonly string[] }[] = [];
    argvs.forEach((argv, i) => {
      const d = results[i];
      counts[d.verdict]++;
      let ours: 'accepted' | 'usage' = 'accepted';
      let why = '';
      try {
        parseDockerArgv(argv);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        ours = 'usage';
        why = e.message;
      }
      const show = `docker ${JSON.stringify(argv)}`;
      if (d.verdict === 'other') others.push(`${show}: exit ${d.exitCode}: ${d.stderr.trim().split('\n')[0]}`);
      else if ((d.verdict === 'accepted' || d.verdict === 'usage') && d.verdict !== ours)
        mismatches.push(
          `${show}: docker ${d.verdict} (exit ${d.exitCode}: ${d.stderr.trim().split('\n')[0] ?? ''}), ours ${ours}${why ? ` (${why})` : ''}`,
        );
      if (ours === 'accepted') {
        const decision = decide(argv, TEST_POLICY);
        if (decision.allowed) {
          counts.allowed++;
          const problems = unsafe(d);
          if (problems.length > 0) unsafeFound.push(`${show}: ${problems.join('; ')}`);
          finals.push({ argv: [...decision.argv], from: argv });
        }
      }
    });
    // The argv the broker would run, built from the model with the forced flags: run it too.
    const finalResults = await pool(finals, workers, (w, f) => w.run(f.argv));
    finals.forEach((f, i) => {
      const d = finalResults[i];
      // Our emitted argv must parse in docker; what docker refuses later for other reasons is not ours.
      if (d.verdict === 'usage' || d.verdict === 'other')
        mismatches.push(
          `final argv ${JSON.stringify(f.argv)} (from ${JSON.stringify(f.from)}) not accepted by docker: ${d.stderr.trim().split('\n')[0]}`,
        );
      counts.allowedChecked++;
      const problems = unsafe(d);
      // The final run must carry a private cgroup namespace: an empty one is the daemon's default,
      // the host's on cgroup v1 hosts.
      const cgroupns = (d.create?.HostConfig as Record<string, unknown> | undefined)?.CgroupnsMode;
      if (d.create && cgroupns !== 'private') problems.push(`CgroupnsMode ${JSON.stringify(cgroupns)}`);
      if (problems.length > 0) unsafeFound.push(`final ${JSON.stringify(f.argv)}: ${problems.join('; ')}`);
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `differential: ${COUNT} argvs in ${secs}s — docker accepted ${counts.accepted}, usage error ${counts.usage}, environment-dependent ${counts.env}, refused by a command's own checks ${counts.semantic}, unclassified ${counts.other}; decide() allowed ${counts.allowed} (final argvs re-run ${counts.allowedChecked})`,
    );
    if (mismatches.length > 0) console.log(`mismatches (${mismatches.length}):\n${mismatches.slice(0, 60).join('\n')}`);
    if (others.length > 0) console.log(`unclassified (${others.length}):\n${others.slice(0, 30).join('\n')}`);
    if (unsafeFound.length > 0) console.log(`UNSAFE (${unsafeFound.length}):\n${unsafeFound.slice(0, 30).join('\n')}`);
    expect(mismatches).toEqual([]);
    expect(others).toEqual([]);
    expect(unsafeFound).toEqual([]);
  }, 600_000);
});
