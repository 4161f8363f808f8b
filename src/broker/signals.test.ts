// The broker's listeners, in a real node process bundled like the broker (signal-guard first).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedSignals, RELAYED } from './signals.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-signals-'));
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(
    entry,
    `import ${JSON.stringify(path.resolve('src/broker/signal-guard.ts'))};
import { lastSignal } from ${JSON.stringify(path.resolve('src/broker/signals.ts'))};
console.log('ready');
setTimeout(() => { console.log('last ' + lastSignal); process.exit(0); }, 1500);
`,
  );
  bundle = path.join(dir, 'broker.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('broker signal listeners', () => {
  it('cover every catchable signal but the faults and SIGCHLD, the relayed ones last, SIGQUIT last of all', () => {
    const all = guardedSignals();
    expect(all.slice(-4)).toEqual([...RELAYED]);
    expect(all.at(-1)).toBe('SIGQUIT');
    for (const s of [
      'SIGUSR1',
      'SIGUSR2',
      'SIGALRM',
      'SIGVTALRM',
      'SIGPROF',
      'SIGTSTP',
      'SIGTTIN',
      'SIGTTOU',
      'SIGPIPE',
      'SIGXCPU',
      'SIGXFSZ',
      'SIGSYS',
      'SIGTRAP',
      'SIGIO',
      'SIGPWR',
      'SIGSTKFLT',
      'SIGABRT',
      'SIGWINCH',
      'SIGURG',
    ])
      expect(all).toContain(s);
    for (const s of ['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGCHLD'])
      expect(all).not.toContain(s);
  });

  it('keep a bundled broker alive through every one of them, with no inspector opened by SIGUSR1', async () => {
    const child = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const closed = new Promise<[number | null, string | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    // What the launcher waits for: SIGQUIT caught.
    expect(BigInt(`0x${/^SigCgt:\s*(\S+)/m.exec(status)![1]}`) & 4n).toBe(4n);
    for (const s of guardedSignals()) if (s !== 'SIGINT' && s !== 'SIGTERM') child.kill(s);
    // Signals sent together may be handled in any order: let those land before the last one.
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGTERM');
    const [code, signal] = await closed;
    expect(err).not.toMatch(/Debugger listening/);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(out).toMatch(/last SIGTERM/);
  });
});
