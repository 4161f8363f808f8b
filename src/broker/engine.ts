// Running the docker client from the broker: by absolute path, in a clean environment of the
// broker's own making (nothing of the caller's survives sudo's env_reset, and the broker drops
// the rest), from '/', with the caller's stdio or with captured output.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { userDockerHome } from './paths.js';

export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The only environment docker ever sees: fixed PATH, a per-user HOME/DOCKER_CONFIG owned by root. */
export function dockerEnv(uid: number, term?: string): Record<string, string> {
  const home = userDockerHome(uid);
  fs.mkdirSync(`${home}/.docker`, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = { PATH: SAFE_PATH, HOME: home, DOCKER_CONFIG: `${home}/.docker`, LANG: 'C.UTF-8' };
  if (term !== undefined && /^[A-Za-z0-9.+_-]{1,64}$/.test(term)) env.TERM = term;
  return env;
}

export interface Engine {
  /** Absolute path of the docker client (policy engine.docker). */
  readonly docker: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Signals the broker relays to whatever docker child is running in the foreground. */
const RELAYED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

type SignalHandler = (signal: NodeJS.Signals) => void;
let handler: SignalHandler | null = null;
let installed = false;
/** Last signal received, so that the broker can exit 128+n when nothing else decides. */
export let lastSignal: NodeJS.Signals | null = null;

/**
 * From the start of the broker: a signal (sudo relays the caller's TERM/HUP/INT) never kills it
 * outright, which would leave a half-made container and no audit line; it is recorded
 * (`lastSignal`) and handed to the current handler, if any.
 */
export function installSignalHandlers(): void {
  if (!installed) {
    installed = true;
    for (const s of RELAYED)
      process.on(s, () => {
        lastSignal = s;
        handler?.(s);
      });
  }
}

/** Routes the broker's signals to `h` until the returned function is called. */
export function onSignals(h: SignalHandler): () => void {
  installSignalHandlers();
  const previous = handler;
  handler = h;
  return () => {
    handler = previous;
  };
}

export function signalExitCode(signal: NodeJS.Signals): number {
  return exitCodeOf(null, signal);
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? (({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }) as Record<string, number>)[signal] ?? 0 : 0;
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
export function runInherit(engine: Engine, argv: readonly string[], relaySignals = true): Promise<number> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: engine.env, stdio: 'inherit' });
  const release = relaySignals ? onSignals((s) => child.kill(s)) : () => {};
  return wait(child).finally(release);
}

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CaptureOptions {
  /** Written to docker's stdin, then closed. Default: no stdin. */
  readonly input?: string;
  /** Pass docker's stderr to the caller instead of capturing it. */
  readonly inheritStderr?: boolean;
  /** Keep stdout as binary (latin1) text. */
  readonly binary?: boolean;
}

/** Runs docker with its output captured (the broker's own queries). */
export function capture(engine: Engine, argv: readonly string[], options: CaptureOptions = {}): Promise<Captured> {
  const child = spawn(engine.docker, argv, {
    cwd: '/',
    env: engine.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  if (options.input !== undefined) child.stdin?.end(options.input);
  return wait(child).then((code) => ({
    code,
    stdout: Buffer.concat(out).toString(options.binary ? 'latin1' : 'utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  }));
}

/** Runs docker with stdout piped through `map` line by line (stderr and stdin are the caller's). */
export function runMappingStdout(engine: Engine, argv: readonly string[], map: (line: string) => string): Promise<number> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: engine.env, stdio: ['inherit', 'pipe', 'inherit'] });
  const release = onSignals((s) => child.kill(s));
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) process.stdout.write(lines.map((l) => `${map(l)}\n`).join(''));
  });
  child.stdout?.on('end', () => {
    if (pending !== '') process.stdout.write(map(pending));
  });
  return wait(child).finally(release);
}
