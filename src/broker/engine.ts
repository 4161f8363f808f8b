// Running the docker client from the broker: by absolute path, in a clean environment of the
// broker's own making (nothing of the caller's survives sudo's env_reset, and the broker drops
// the rest), from '/', with the caller's stdio or with captured output.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { ParsedCommand } from '../docker/model.js';
import { userDockerHome } from './paths.js';
import { onSignals } from './signals.js';

export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The only environment docker ever sees: fixed PATH, a per-user HOME/DOCKER_CONFIG owned by root. */
export function dockerEnv(uid: number, term?: string): Record<string, string> {
  const home = userDockerHome(uid);
  fs.mkdirSync(`${home}/.docker`, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    PATH: SAFE_PATH,
    HOME: home,
    DOCKER_CONFIG: `${home}/.docker`,
    LANG: 'C.UTF-8',
  };
  if (term !== undefined && /^[A-Za-z0-9.+_-]{1,64}$/.test(term)) env.TERM = term;
  return env;
}

/**
 * Names the docker client itself reads from its environment: a container value of that name must
 * stay on the command line (a `DOCKER_HOST` here would point the root client at another engine).
 */
const CLIENT_ENV =
  /^(DOCKER_|BUILDX_|BUILDKIT_|COMPOSE_|NOTARY_|OTEL_|GO|XDG_|SSL_|LC_|GIT_)|^(PATH|HOME|TMPDIR|TZ|LANG|TERM|USER|SHELL|PWD|CI|NO_COLOR|FORCE_COLOR|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|FTP_PROXY)$/i;

/**
 * Moves the values of `-e NAME=value` out of docker's command line, where every local user reads
 * them in `ps`, into docker's environment, from which `-e NAME` takes them. Names the client reads
 * itself keep their value on the command line.
 */
export function containerValues(cmd: ParsedCommand): { cmd: ParsedCommand; values: Record<string, string> } {
  const env = cmd.flags.env;
  if (env === undefined) return { cmd, values: {} };
  const values: Record<string, string> = {};
  const kept = env.map((e) => {
    const eq = e.indexOf('=');
    if (eq <= 0) return e;
    const name = e.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || CLIENT_ENV.test(name) || Object.hasOwn(values, name)) return e;
    values[name] = e.slice(eq + 1);
    return name;
  });
  return { cmd: { ...cmd, flags: { ...cmd.flags, env: kept } }, values };
}

function withValues(engine: Engine, values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.keys(values).length === 0 ? { ...engine.env } : { ...values, ...engine.env };
}

export interface Engine {
  /** Absolute path of the docker client (policy engine.docker). */
  readonly docker: string;
  readonly env: Readonly<Record<string, string>>;
}

// The broker's signal listeners live in signals.ts (main.ts installs them first of all).
export { installSignalHandlers, lastSignal, onSignals } from './signals.js';

export function signalExitCode(signal: NodeJS.Signals): number {
  return exitCodeOf(null, signal);
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal
    ? (({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0)
    : 0;
  return 128 + n;
}

function wait(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`cida-docker broker: cannot run docker: ${e.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(exitCodeOf(code, signal)));
  });
}

/** Runs docker with the caller's stdio; signals reach it. Resolves to its exit code. */
export function runInherit(
  engine: Engine,
  argv: readonly string[],
  relaySignals = true,
  values: Readonly<Record<string, string>> = {},
): Promise<number> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: withValues(engine, values), stdio: 'inherit' });
  // QUIT would make the Go client print its goroutine dump to the caller: it stops it like TERM.
  const release = relaySignals ? onSignals((s) => child.kill(s === 'SIGQUIT' ? 'SIGTERM' : s)) : () => {};
  return wait(child).finally(release);
}

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when docker printed more than the cap: it was stopped, and the output is cut there. */
  readonly overflow: boolean;
}

/** Default ceiling on what the broker reads of one docker call's stdout (listings, inspect). */
export const CAPTURE_MAX_BYTES = 8 * 1024 * 1024;
/** Ceiling on captured stderr: docker's error messages are short. */
const STDERR_MAX_BYTES = 64 * 1024;

export interface CaptureOptions {
  /** Written to docker's stdin, then closed. Default: no stdin. */
  readonly input?: string;
  /** Pass docker's stderr to the caller instead of capturing it. */
  readonly inheritStderr?: boolean;
  /** Pass docker's stderr to the caller line by line through this (e.g. to hide ids); implies not captured. */
  readonly mapStderr?: (line: string) => string;
  /** Keep stdout as binary (latin1) text. */
  readonly binary?: boolean;
  /** Stop docker and report `overflow` once stdout exceeds this many bytes (default CAPTURE_MAX_BYTES). */
  readonly maxBytes?: number;
  /** `-e NAME` values for the container, handed to docker in its environment (see containerValues). */
  readonly values?: Readonly<Record<string, string>>;
}

/**
 * Runs docker with its output captured (the broker's own queries). Docker's output is hostile
 * (container names, labels, files copied out of a container): it is read up to a cap, and a
 * docker that prints more is killed, never buffered without limit.
 */
export function capture(engine: Engine, argv: readonly string[], options: CaptureOptions = {}): Promise<Captured> {
  const max = options.maxBytes ?? CAPTURE_MAX_BYTES;
  const child = spawn(engine.docker, argv, {
    cwd: '/',
    env: withValues(engine, options.values ?? {}),
    stdio: [
      options.input === undefined ? 'ignore' : 'pipe',
      'pipe',
      options.inheritStderr && !options.mapStderr ? 'inherit' : 'pipe',
    ],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  let errBytes = 0;
  let overflow = false;
  child.stdout?.on('data', (b: Buffer) => {
    if (overflow) return;
    if (outBytes + b.length > max) {
      overflow = true;
      out.push(b.subarray(0, max - outBytes));
      outBytes = max;
      child.kill('SIGKILL');
      return;
    }
    out.push(b);
    outBytes += b.length;
  });
  const mapStderr = options.mapStderr;
  if (mapStderr) {
    // Whole lines through the map; a line longer than any docker message is passed on as it comes.
    let pending = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > 64 * 1024) {
        lines.push(pending);
        pending = '';
      }
      if (lines.length > 0) process.stderr.write(lines.map((l) => `${mapStderr(l)}\n`).join(''));
    });
    child.stderr?.on('end', () => {
      if (pending !== '') process.stderr.write(mapStderr(pending));
    });
  }
  child.stderr?.on('data', (b: Buffer) => {
    if (mapStderr || errBytes >= STDERR_MAX_BYTES) return;
    const part = b.subarray(0, STDERR_MAX_BYTES - errBytes);
    err.push(part);
    errBytes += part.length;
  });
  child.stdin?.on('error', () => {}); // docker may exit before reading its input
  if (options.input !== undefined) child.stdin?.end(options.input);
  return wait(child).then((code) => ({
    code,
    stdout: Buffer.concat(out).toString(options.binary ? 'latin1' : 'utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    overflow,
  }));
}

/** Runs docker with stdout piped through `map` line by line (stderr and stdin are the caller's). */
export function runMappingStdout(
  engine: Engine,
  argv: readonly string[],
  map: (line: string) => string,
): Promise<number> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: engine.env, stdio: ['inherit', 'pipe', 'inherit'] });
  const release = onSignals((s) => child.kill(s));
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) process.stdout.write(lines.map((l) => `${map(l)}\n`).join(''));
    // No line the broker maps is this long: pass an endless one on as it comes, unmapped.
    if (pending.length > 64 * 1024) {
      process.stdout.write(pending);
      pending = '';
    }
  });
  child.stdout?.on('end', () => {
    if (pending !== '') process.stdout.write(map(pending));
  });
  return wait(child).finally(release);
}
