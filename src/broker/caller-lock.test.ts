// The per-developer ceiling lock: one holder at a time per uid, others per uid never wait, a dead
// holder's lock (killed, pid reused) is broken and a live one never is, a bounded wait that names
// the holder, and no lock in a directory the broker cannot trust.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTime, takeCallerLock } from './caller-lock.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-lock-'));
const dir = path.join(root, 'locks');
const fast = { waitMs: 300, pollMs: 10 };

beforeEach(() => fs.rmSync(dir, { recursive: true, force: true }));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A pid that was a process and is not any more. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
  );
}

describe('takeCallerLock', () => {
  it('one holder per uid: a second waits a bounded time and is told which request holds it; another uid does not wait', async () => {
    const a = await takeCallerLock(dir, 1001, 'run', fast);
    expect(a.held).toBe(true);
    const t0 = Date.now();
    const b = await takeCallerLock(dir, 1001, 'start', fast);
    expect(b).toEqual({ held: false, why: `your \`run\` (broker pid ${process.pid}) still holds it` });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const other = await takeCallerLock(dir, 1002, 'run', { waitMs: 0 });
    expect(other.held).toBe(true);
    if (a.held) a.release();
    const c = await takeCallerLock(dir, 1001, 'start', fast);
    expect(c.held).toBe(true);
    if (c.held) c.release();
    if (other.held) other.release();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a count-then-start under the lock, many at once, never passes the ceiling', async () => {
    let running = 0;
    let most = 0;
    const K = 3;
    const attempt = async (): Promise<boolean> => {
      const lock = await takeCallerLock(dir, 1001, 'run', { waitMs: 10_000, pollMs: 2 });
      if (!lock.held) return false;
      try {
        if (running >= K) return false;
        await new Promise((r) => setTimeout(r, 5)); // the engine's start
        running++;
        most = Math.max(most, running);
        return true;
      } finally {
        lock.release();
      }
    };
    const results = await Promise.all(Array.from({ length: 12 }, attempt));
    expect(results.filter(Boolean).length).toBe(K);
    expect(most).toBe(K);
  });

  it("breaks the lock of a holder that is gone (killed, or its pid now another process's), never a live one's", async () => {
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, '1001.lock');
    const holder = (pid: number, start: string): string => JSON.stringify({ pid, start, token: 'x', what: 'run' });
    fs.writeFileSync(file, holder(deadPid(), '1'));
    const a = await takeCallerLock(dir, 1001, 'run', fast);
    expect(a.held).toBe(true);
    if (a.held) a.release();
    // The parent's pid, alive, with another start time: a reused pid, not the holder.
    fs.writeFileSync(file, holder(process.ppid, 'not-its-start'));
    const b = await takeCallerLock(dir, 1001, 'run', fast);
    expect(b.held).toBe(true);
    if (b.held) b.release();
    // The parent, as it is: live, so waited for and not broken.
    fs.writeFileSync(file, holder(process.ppid, startTime(process.ppid) ?? ''));
    const c = await takeCallerLock(dir, 1001, 'run', fast);
    expect(c.held).toBe(false);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('a lock without readable content is waited for a moment (its maker writes it next), then broken', async () => {
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, '1001.lock');
    fs.writeFileSync(file, '');
    expect((await takeCallerLock(dir, 1001, 'run', fast)).held).toBe(false);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const a = await takeCallerLock(dir, 1001, 'run', fast);
    expect(a.held).toBe(true);
    if (a.held) a.release();
  });

  it('refuses a lock directory others can write to, or a link in its place', async () => {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o777);
    const a = await takeCallerLock(dir, 1001, 'run', fast);
    expect(a).toMatchObject({ held: false, why: expect.stringMatching(/cannot be trusted: .* writable by others/) });
    fs.rmSync(dir, { recursive: true });
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true, mode: 0o700 });
    fs.symlinkSync(elsewhere, dir);
    const b = await takeCallerLock(dir, 1001, 'run', fast);
    expect(b).toMatchObject({ held: false, why: expect.stringMatching(/not a directory/) });
    fs.rmSync(dir);
    // A planted lock that is a link is never followed: not read as a holder, and not written through.
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(elsewhere, 'target'), 'keep');
    fs.symlinkSync(path.join(elsewhere, 'target'), path.join(dir, '1001.lock'));
    expect((await takeCallerLock(dir, 1001, 'run', fast)).held).toBe(false);
    expect(fs.readFileSync(path.join(elsewhere, 'target'), 'utf8')).toBe('keep');
  });
});
