// Helpers for the setup/doctor/shim/sudo end-to-end tests. They run as root (like .ci/run) and
// act as the test users through `su - USER -c …`: a login shell, so the user's groups, HOME and
// PATH are what a developer's session gets, and nothing leaks in from root's environment.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The globally installed CLI (`npm install -g` of the package), as every user runs it. */
export const CLI = process.env.CIDA_DOCKER_BIN ?? '/usr/local/bin/cida-docker';
export const DOCKER = '/usr/local/bin/docker';
export const DEV1 = 'cida-dev1';
export const DEV2 = 'cida-dev2';
export const OUTSIDER = 'cida-outsider';

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Root's environment for the commands we start, without what vitest adds (NODE_ENV=test makes oclif look for TypeScript). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (k !== 'NODE_ENV' && !k.startsWith('VITEST') && k !== 'TEST') env[k] = v;
  return env;
}

export function sh(script: string, options: { input?: string; timeoutMs?: number } = {}): Ran {
  const r = spawnSync('/bin/bash', ['-c', script], {
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 60_000,
    cwd: '/',
    env: cleanEnv(),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a bash script as `user` in a login shell (fresh groups from the group database). */
export function asUser(user: string, script: string, options: { timeoutMs?: number } = {}): Ran {
  const r = spawnSync('su', ['-', user, '-s', '/bin/bash', '-c', script], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    cwd: '/',
    env: cleanEnv(),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function isRoot(): boolean {
  return process.geteuid?.() === 0;
}

/** Whether this host has been set up for the e2e suite (root, the installed CLI, sudo, the users). */
export function hostReady(): boolean {
  return (
    isRoot() && fs.existsSync(CLI) && fs.existsSync('/usr/bin/sudo') && sh(`id ${DEV1} && id ${OUTSIDER}`).status === 0
  );
}

/** Shell-quotes one word. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface DoctorJson {
  ok: boolean;
  exitCode: number;
  user?: string;
  asRoot: boolean;
  checks: { id: string; title: string; status: 'ok' | 'fail' | 'warn' | 'skip'; detail: string; fix?: string }[];
}

export function statusOf(report: DoctorJson, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.status;
}
