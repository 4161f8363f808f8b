// The front end's side of the door: `sudo -n <BROKER_PATH>` with no arguments, the request in
// CIDA_DOCKER_REQUEST, stdio passed straight through (or stdout captured, for `audit`).
// node:child_process, not execa: loading execa adds ~45-60 ms to every docker verb for one inherit-stdio spawn.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { BROKER_PATH, REQUEST_ENV } from '../broker/paths.js';
import { type BrokerRequest, encodeRequest } from '../broker/request.js';
import { EXIT } from '../exit-codes.js';

const SUDO = fs.existsSync('/usr/bin/sudo') ? '/usr/bin/sudo' : 'sudo';
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

export function notSetUpMessage(why: string): string {
  return `cida-docker: ${why}.\n  Run \`cida-docker doctor\` to see what is missing on this host and how to fix it.\n`;
}

/** True when sudo would run the broker for this user without a password. */
function sudoAllowsBroker(): boolean {
  const r = spawnSync(SUDO, ['-n', '-l', BROKER_PATH], { stdio: 'ignore' });
  return r.status === 0;
}

export interface BrokerCall {
  readonly code: number;
  /** Captured stdout, when asked for. */
  readonly stdout?: string;
}

/** Hands `req` to the broker and resolves to its exit code (69 when the broker or rule is missing). */
export interface CallOptions {
  readonly captureStdout?: boolean;
  /** Called with the broker's stdin (a pipe) instead of passing the caller's own: the build context. */
  readonly feed?: (stdin: NodeJS.WritableStream, child: import('node:child_process').ChildProcess) => void;
  /** Pipe the broker's stdout/stderr to these instead of inheriting them. */
  readonly output?: (child: import('node:child_process').ChildProcess) => void;
}

export async function callBroker(req: BrokerRequest, options: CallOptions = {}): Promise<BrokerCall> {
  if (!fs.existsSync(BROKER_PATH)) {
    process.stderr.write(notSetUpMessage(`the broker is not installed on this host (${BROKER_PATH} is missing)`));
    return { code: EXIT.notSetUp };
  }
  let text: string;
  try {
    text = encodeRequest(req);
  } catch (e) {
    process.stderr.write(`cida-docker: ${(e as Error).message}\n`);
    return { code: EXIT.usage };
  }
  const child = spawn(SUDO, ['-n', BROKER_PATH], {
    stdio: [
      options.feed ? 'pipe' : 'inherit',
      options.captureStdout || options.output ? 'pipe' : 'inherit',
      options.output ? 'pipe' : 'inherit',
    ],
    env: { ...process.env, [REQUEST_ENV]: text },
  });
  // Ctrl-C reaches the broker through the terminal (or sudo relays it); the front end just waits
  // for its answer. A TERM or HUP sent to the front end alone is relayed to sudo, which relays it on.
  const ignore = (): void => {};
  const relay = (s: NodeJS.Signals): void => {
    child.kill(s);
  };
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  process.on('SIGTERM', relay);
  process.on('SIGHUP', relay);
  const chunks: Buffer[] = [];
  if (options.output) options.output(child);
  else child.stdout?.on('data', (b: Buffer) => chunks.push(b));
  if (options.feed && child.stdin) options.feed(child.stdin, child);
  const code = await new Promise<number>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(notSetUpMessage(`cannot run sudo (${e.message})`));
      resolve(EXIT.notSetUp);
    });
    child.on('close', (c, signal) => resolve(c ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0)));
  });
  process.off('SIGINT', ignore);
  process.off('SIGQUIT', ignore);
  process.off('SIGTERM', relay);
  process.off('SIGHUP', relay);
  // sudo answers 1 when it will not run the broker ("a password is required", "not allowed");
  // docker answers 1 for many errors too: ask sudo, only then.
  if (code === 1 && !sudoAllowsBroker()) {
    process.stderr.write(
      notSetUpMessage(
        `sudo will not run the broker for you (not in the cida-docker group, or no sudo rule in /etc/sudoers.d)`,
      ),
    );
    return { code: EXIT.notSetUp };
  }
  return { code, stdout: options.captureStdout ? Buffer.concat(chunks).toString('utf8') : undefined };
}
