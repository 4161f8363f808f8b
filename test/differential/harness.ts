// Runs the real docker 28.2.2 client against the fake engine and classifies what it did.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type FakeEngine, type Recorded, startFakeEngine } from './fake-engine.js';

export const DOCKER = process.env.CIDA_DOCKER_BIN ?? '/usr/local/bin/docker';

export type DockerVerdict = 'accepted' | 'usage' | 'env' | 'semantic' | 'other';

export interface DockerResult {
  readonly verdict: DockerVerdict;
  readonly exitCode: number;
  readonly stderr: string;
  readonly requests: Recorded[];
  /** The body of POST /containers/create, when docker got that far. */
  readonly create?: { Config?: Record<string, unknown>; HostConfig?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  /** The body of POST /containers/{id}/exec. */
  readonly exec?: Record<string, unknown>;
}

/** Failures that depend on the environment, not on how the argv parses. */
const ENV_ERRORS = [
  /the input device is not a TTY/,
  /is only supported on a Docker daemon running on/,
  /requires API version/,
  /Cannot perform an interactive login from a non TTY device/,
  /error contacting notary server/,
];

/**
 * Checks a command's RunE makes before contacting the engine that are about meaning, not syntax
 * (not part of the parser's contract outside run/create; the rules or the engine deal with them).
 */
const SEMANTIC_ERRORS = [
  /cannot push a digest reference/,
  /you cannot start and attach multiple containers at once/,
  /tag can't be used with --all-tags\/-a/,
  /unknown operating system or architecture/,
  /unknown type: ".*": must be one of/,
  /is not yet supported with --tree/,
  /Invalid platform /,
  /wildcards not yet supported/,
];

/** What docker's usage errors look like: pflag's, cobra's argument count. */
const USAGE_ERRORS = [
  /^docker: '[^']+' (requires|accepts) /m,
  // RunE checks our parser makes too (exit 1 in docker).
  /conflicting options: cannot specify both --timeout and --time/,
  /conflicting options: cannot specify both --attach and --detach/,
];

export interface Worker {
  run(argv: readonly string[]): Promise<DockerResult>;
  close(): Promise<void>;
}

/** One fake engine and one clean docker environment; invocations are sequential per worker. */
export async function startWorker(): Promise<Worker> {
  const dir = mkdtempSync(join(tmpdir(), 'cida-diff-'));
  const home = join(dir, 'home');
  const cwd = join(dir, 'cwd');
  mkdirSync(join(home, '.docker'), { recursive: true });
  mkdirSync(cwd);
  writeFileSync(join(home, '.docker', 'config.json'), '{}');
  const engine: FakeEngine = await startFakeEngine(join(dir, 'engine.sock'));
  const env = {
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    PATH: '/usr/bin:/bin',
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
  };
  return {
    async run(argv) {
      engine.take('');
      const p = await execa(DOCKER, ['-H', `unix://${engine.socket}`, ...argv], {
        env,
        extendEnv: false,
        cwd,
        stdin: 'ignore',
        reject: false,
        timeout: 15_000,
        stripFinalNewline: false,
      });
      const requests = engine.take('');
      const stderr = String(p.stderr ?? '');
      const exitCode = p.exitCode ?? -1;
      const create = requests.find((q) => q.method === 'POST' && q.path === '/containers/create')
        ?.body as DockerResult['create'];
      const exec = requests.find((q) => q.method === 'POST' && /^\/containers\/[^/]+\/exec$/.test(q.path))?.body as
        Record<string, unknown> | undefined;
      let verdict: DockerVerdict;
      if (p.timedOut) verdict = 'other';
      else if (create || exec) verdict = 'accepted';
      else if (ENV_ERRORS.some((re) => re.test(stderr))) verdict = 'env';
      else if (exitCode === 125 || USAGE_ERRORS.some((re) => re.test(stderr))) verdict = 'usage';
      else if (SEMANTIC_ERRORS.some((re) => re.test(stderr))) verdict = 'semantic';
      else if (exitCode === 0 || requests.length > 0) verdict = 'accepted';
      else verdict = 'other';
      return { verdict, exitCode, stderr, requests, create, exec };
    },
    close: () => engine.close(),
  };
}
