// Entry point of the bundled broker (dist/broker.js, installed at BROKER_BUNDLE_PATH and started
// by the launcher at BROKER_PATH): see broker.ts. Every signal listener first (signals.ts).
import './signal-guard.js';
import { main } from './broker.js';

/** Flushes stdout/stderr, then exits: a docker child left behind (a detached wait) must not hold the broker. */
function exitWith(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// Writing to a caller that went away must not crash the broker before its audit line.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
main().then(
  (code) => exitWith(code),
  (e) => {
    process.stderr.write(`cida-docker broker: internal error: ${(e as Error)?.stack ?? e}\n`);
    exitWith(70);
  },
);
