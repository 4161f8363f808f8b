// Helpers for the broker end-to-end tests: drive the CLI as a real non-root user (login shell:
/* eslint-disable @typescript-eslint/no-explicit-any -- docker inspect JSON is read loosely, as the tests look at it */
// the user's groups, HOME and PATH as in a developer's session), look at the engine as root.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'vitest';
import { hostReady, q } from './setup-helpers.js';

/** The CLI as the users run it: the installed one, or CIDA_E2E_CLI (e.g. "node /work/main/bin/run.js"). */
export const CLI = process.env.CIDA_E2E_CLI ?? '/usr/local/bin/cida-docker';
export const DOCKER = '/usr/local/bin/docker';
export const POLICY = '/etc/cida-docker/policy.json';
export const AUDIT = '/var/log/cida-docker/audit.jsonl';
export const REG = 'registry.example.internal:5000/base';
/** Every container the suite creates carries cida.ci-job=<JOB>: found, checked and removed by it. */
export const JOB = `cida-e2e-broker-${process.pid}-${Date.now()}`;

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AsOptions {
  /** Extra environment, set inside the user's login shell. */
  readonly env?: Record<string, string>;
  readonly input?: string;
  /** Working directory inside the user's session (default: the user's home). */
  readonly cwd?: string;
  /** Shell text run before the command (e.g. PATH changes). */
  readonly prelude?: string;
  readonly timeoutMs?: number;
}

function rootEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (k !== 'NODE_ENV' && !k.startsWith('VITEST') && k !== 'TEST') env[k] = v;
  return env;
}

function userScript(args: readonly string[], o: AsOptions): string {
  const exports = Object.entries({ BUILD_TAG: JOB, ...o.env })
    .map(([k, v]) => `export ${k}=${q(v)}; `)
    .join('');
  return `${o.cwd ? `cd ${q(o.cwd)} && ` : ''}${exports}${o.prelude ?? ''} exec ${CLI} ${args.map(q).join(' ')}`;
}

/** Runs `cida-docker ARGS` as `user` and waits. */
export function as(user: string, args: readonly string[], o: AsOptions = {}): Ran {
  const r = spawnSync('su', ['-', user, '-s', '/bin/bash', '-c', userScript(args, o)], {
    encoding: 'utf8',
    input: o.input ?? '',
    timeout: o.timeoutMs ?? 120_000,
    cwd: '/',
    env: rootEnv(),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `cida-docker ARGS` as `user` in the background, in its own process group (for signals). */
export function asAsync(user: string, args: readonly string[], o: AsOptions = {}) {
  const child = spawn('su', ['-', user, '-s', '/bin/bash', '-c', userScript(args, o)], {
    cwd: '/',
    env: rootEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Ran>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

/** Root's view of the engine. */
export function docker(...args: string[]): Ran {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', timeout: 60_000, env: rootEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function inspect(id: string): Record<string, any> {
  const r = docker('inspect', '--type', 'container', id);
  if (r.status !== 0) throw new Error(`inspect ${id}: ${r.stderr}`);
  return JSON.parse(r.stdout)[0];
}

/** Ids of the suite's containers (every one, running or not). */
export function suiteContainers(job = JOB): string[] {
  return docker('ps', '-a', '-q', '--no-trunc', '--filter', `label=cida.ci-job=${job}`)
    .stdout.split('\n')
    .filter(Boolean);
}

/** What must hold for every container a developer got: nothing of the host, nothing as root. */
export function hardeningProblems(c: Record<string, any>): string[] {
  const hc = c.HostConfig;
  const out: string[] = [];
  const bad = (cond: boolean, what: string): void => {
    if (cond) out.push(what);
  };
  bad((hc.Binds ?? []).length > 0, `Binds ${JSON.stringify(hc.Binds)}`);
  bad(
    (hc.Mounts ?? []).some((m: { Type: string }) => m.Type !== 'tmpfs'),
    `Mounts ${JSON.stringify(hc.Mounts)}`,
  );
  bad(
    (c.Mounts ?? []).some((m: { Type: string }) => m.Type !== 'tmpfs'),
    `container Mounts ${JSON.stringify(c.Mounts)}`,
  );
  bad((hc.VolumesFrom ?? []).length > 0, 'VolumesFrom');
  bad(hc.Privileged !== false, 'Privileged');
  bad(hc.PublishAllPorts !== true, 'PublishAllPorts not true');
  bad((hc.CapAdd ?? []).length > 0, `CapAdd ${JSON.stringify(hc.CapAdd)}`);
  bad(!(hc.CapDrop ?? []).includes('ALL'), `CapDrop ${JSON.stringify(hc.CapDrop)}`);
  bad(!(hc.SecurityOpt ?? []).includes('no-new-privileges'), `SecurityOpt ${JSON.stringify(hc.SecurityOpt)}`);
  bad(!(hc.PidsLimit > 0), `PidsLimit ${hc.PidsLimit}`);
  for (const [k, v] of [
    ['NetworkMode', hc.NetworkMode],
    ['PidMode', hc.PidMode],
    ['IpcMode', hc.IpcMode],
    ['UTSMode', hc.UTSMode],
    ['UsernsMode', hc.UsernsMode],
    ['CgroupnsMode', hc.CgroupnsMode],
  ])
    bad(typeof v === 'string' && (v === 'host' || v.startsWith('container:')), `${k} ${v}`);
  bad((hc.Devices ?? []).length > 0, 'Devices');
  const user = String(c.Config.User ?? '').split(':')[0];
  bad(user === '' || user === 'root' || /^0+$/.test(user), `Config.User "${c.Config.User}"`);
  const labels = c.Config.Labels ?? {};
  bad(!labels['cida.owner'] || !/^\d+$/.test(labels['cida.uid'] ?? ''), `owner labels ${JSON.stringify(labels)}`);
  return out;
}

export function auditLines(): Record<string, any>[] {
  return fs
    .readFileSync(AUDIT, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Writes the policy as root (0644), on top of the secure defaults. */
export function writePolicy(p: Record<string, unknown>, mode = 0o644): void {
  fs.mkdirSync('/etc/cida-docker', { recursive: true });
  fs.writeFileSync(POLICY, `${JSON.stringify(p, null, 2)}\n`, { mode });
  fs.chownSync(POLICY, 0, 0);
  fs.chmodSync(POLICY, mode);
}

/** True when the host can run the broker tests: e2e/setup-host.sh ran, setup installed the broker, the engine answers. */
export function brokerReady(): boolean {
  return (
    hostReady() &&
    fs.existsSync('/usr/local/lib/cida-docker/broker') &&
    docker('info', '--format', '{{.ServerVersion}}').status === 0
  );
}

/**
 * Somebody else's container answers exactly like a missing one: the same status, stdout and stderr
 * once each reference is masked (`theirs` ran with `ref`, `none` with the missing `missing`).
 */
export function expectLikeMissing(args: readonly string[], theirs: Ran, ref: string, none: Ran, missing: string): void {
  expect({ args, status: theirs.status, stdout: theirs.stdout, stderr: theirs.stderr.replaceAll(ref, 'REF') }).toEqual({
    args,
    status: none.status,
    stdout: none.stdout,
    stderr: none.stderr.replaceAll(missing, 'REF'),
  });
}
