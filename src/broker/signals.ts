// The broker's signals. sudo relays to its command whatever signal the caller sends to their own
// sudo process, so the command sudo starts is not this Node process but the launcher setup writes
// (src/setup/launcher.ts): it ignores every signal, starts the broker in a session of its own
// (where the caller can signal nothing: another uid, another session, no terminal), and relays only
// INT, TERM, HUP and QUIT, and only once the broker catches SIGQUIT, the last handler set here.
// Here, from the bundle's first module on: a listener for every signal a listener can be set for,
// so that nothing the broker is sent ends it without its audit line (SIGKILL aside), and SIGUSR1
// never opens Node's inspector (a SIGUSR1 listener replaces it on Node 20, which has no
// --disable-sigusr1).
import os from 'node:os';

/** Signals the broker acts on: recorded, and handed to whatever runs in the foreground. */
export const RELAYED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Not listened to: SIGKILL and SIGSTOP cannot be; a real SIGSEGV, SIGBUS, SIGILL or SIGFPE with a
 * JS listener would loop on the faulting instruction instead of crashing (only root can send one
 * to the broker, see above); SIGCHLD (default: ignored) is libuv's own, for docker's exit.
 */
const UNHANDLED = new Set(['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGCHLD']);

/** Every signal the broker listens to, in the order it does: the relayed ones last, SIGQUIT last of all. */
export function guardedSignals(): NodeJS.Signals[] {
  const names = Object.keys(os.constants.signals) as NodeJS.Signals[];
  return [...names.filter((s) => !UNHANDLED.has(s) && !RELAYED.includes(s)), ...RELAYED];
}

type SignalHandler = (signal: NodeJS.Signals) => void;
let handler: SignalHandler | null = null;
let installed = false;
/** Last relayed signal received, so that the broker can exit 128+n when nothing else decides. */
export let lastSignal: NodeJS.Signals | null = null;

/**
 * Installs the listeners (once). A relayed signal never kills the broker outright, which would
 * leave a half-made container and no audit line: it is recorded (`lastSignal`) and handed to the
 * current handler, if any. Every other signal is listened to and ignored.
 */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const s of guardedSignals()) {
    const relayed = RELAYED.includes(s);
    try {
      process.on(
        s,
        relayed
          ? () => {
              lastSignal = s;
              handler?.(s);
            }
          : () => {},
      );
    } catch {
      // A name this platform lists but will not let a listener take: nothing to do.
    }
  }
}

/** Routes the broker's relayed signals to `h` until the returned function is called. */
export function onSignals(h: SignalHandler): () => void {
  installSignalHandlers();
  const previous = handler;
  handler = h;
  return () => {
    handler = previous;
  };
}
