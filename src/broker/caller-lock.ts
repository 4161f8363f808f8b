// The per-developer lock around the ceiling (policy run.maxContainersPerUser): held from the count
// of the caller's running containers to the moment the new one runs, so that concurrent runs and
// starts of one developer cannot all pass the same count. One lock per uid: developers never wait
// for each other. The lock is a file made with O_EXCL in the broker's root-owned state directory
// (never a place a user can write), holding the pid and start time of the broker that holds it; a
// lock whose holder is gone (killed, or its pid reused) is stale and broken, never a live one, so
// no timeout can hand the ceiling to two brokers. The caller cannot stop its broker (the launcher
// gives it a session of its own and relays only INT/TERM/HUP/QUIT, which the broker catches), and
// the lock is held only around engine calls of the broker's own (no pull, no caller I/O): it is
// let go on every path, and a waiter waits a bounded time, then is told who holds it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type BrokerContext, type Outcome, refused } from './outcome.js';
import { lastSignal } from './signals.js';

export interface LockHolder {
  readonly pid: number;
  /** The holder's start time (/proc/<pid>/stat field 22): a reused pid is not the holder. */
  readonly start: string;
  readonly token: string;
  /** What the holder is doing, for the waiter's message (the broker's words: `run`, `start`). */
  readonly what: string;
}

export type LockResult =
  { readonly held: true; readonly release: () => void } | { readonly held: false; readonly why: string };

export interface LockOptions {
  /** How long to wait for a live holder (default 30 s). */
  readonly waitMs?: number;
  readonly pollMs?: number;
  /** The uid that must own the lock directory (default: the broker's, root). */
  readonly owner?: number;
}

/** Field 22 of /proc/<pid>/stat (after the command's closing parenthesis), or null when gone. */
export function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The lock directory, made 0700; null, or why it cannot be trusted (owned by another, writable by others, a link). */
function lockDir(dir: string, owner: number): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== owner) return `${dir} is owned by uid ${st.uid}, not ${owner}`;
    if ((st.mode & 0o022) !== 0) return `${dir} is writable by others`;
    return null;
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
}

function readHolder(file: string): { holder: LockHolder | null; ino: number; mtimeMs: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null; // gone (or a link, which the broker never makes): try again
  }
  try {
    const st = fs.fstatSync(fd);
    const buf = Buffer.alloc(1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    let holder: LockHolder | null = null;
    try {
      const o = JSON.parse(buf.subarray(0, n).toString('utf8')) as Partial<LockHolder>;
      if (
        typeof o.pid === 'number' &&
        typeof o.start === 'string' &&
        typeof o.token === 'string' &&
        typeof o.what === 'string'
      )
        holder = o as LockHolder;
    } catch {
      holder = null;
    }
    return { holder, ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

/** A lock file written a moment ago may not hold its content yet: unreadable ones are stale only after this. */
const UNREADABLE_GRACE_MS = 5000;

/** Locks held by this process, let go at exit whatever the path (process.exit included). */
const heldFiles = new Map<string, string>();
let exitHook = false;

function isLive(h: LockHolder): boolean {
  // This very process: live while it holds that token (a lock a previous owner of the pid left is not).
  if (h.pid === process.pid) return [...heldFiles.values()].includes(h.token);
  return startTime(h.pid) === h.start;
}

function unlinkIfOurs(file: string, token: string): void {
  const now = readHolder(file);
  if (now?.holder?.token === token) fs.rmSync(file, { force: true });
}

/**
 * Breaks a stale lock. Breaking is serialised by a second O_EXCL file, so two waiters that both
 * found it stale cannot remove the fresh lock a third made in between: the lock is removed only
 * when it is still the same file (inode) that was found stale.
 */
function breakStale(file: string, ino: number): void {
  const breaker = `${file}.break`;
  let fd: number;
  try {
    fd = fs.openSync(
      breaker,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
  } catch {
    // Another waiter is breaking it; a breaker left by a killed broker is old: removed.
    try {
      if (Date.now() - fs.lstatSync(breaker).mtimeMs > UNREADABLE_GRACE_MS) fs.rmSync(breaker, { force: true });
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    const again = readHolder(file);
    if (again !== null && again.ino === ino && (again.holder === null || !isLive(again.holder)))
      fs.rmSync(file, { force: true });
  } finally {
    fs.closeSync(fd);
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * Takes the caller's lock: at once, or after waiting for a live holder at most `waitMs`. A relayed
 * signal (the caller's Ctrl-C) ends the wait.
 */
export async function takeCallerLock(
  dir: string,
  uid: number,
  what: string,
  options: LockOptions = {},
): Promise<LockResult> {
  const owner = options.owner ?? process.getuid?.() ?? 0;
  const bad = lockDir(dir, owner);
  if (bad !== null) return { held: false, why: `the lock directory cannot be trusted: ${bad}` };
  const file = path.join(dir, `${uid}.lock`);
  const me: LockHolder = {
    pid: process.pid,
    start: startTime(process.pid) ?? '',
    token: randomBytes(8).toString('hex'),
    what,
  };
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  let seen: LockHolder | null = null;
  for (;;) {
    let fd: number | null = null;
    try {
      fd = fs.openSync(
        file,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
        0o600,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        return { held: false, why: `cannot make ${file}: ${(e as Error).message}` };
    }
    if (fd !== null) {
      try {
        fs.writeSync(fd, JSON.stringify(me));
      } finally {
        fs.closeSync(fd);
      }
      heldFiles.set(file, me.token);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const [f, t] of heldFiles) unlinkIfOurs(f, t);
        });
      }
      let released = false;
      return {
        held: true,
        release: () => {
          if (released) return;
          released = true;
          heldFiles.delete(file);
          unlinkIfOurs(file, me.token);
        },
      };
    }
    const found = readHolder(file);
    if (found !== null) {
      const h = found.holder;
      if (h === null ? Date.now() - found.mtimeMs > UNREADABLE_GRACE_MS : !isLive(h)) {
        breakStale(file, found.ino);
        continue;
      }
      if (h !== null) seen = h;
    }
    if (lastSignal !== null) return { held: false, why: `interrupted (${lastSignal}) while waiting` };
    if (Date.now() >= deadline)
      return {
        held: false,
        why:
          seen === null
            ? 'another request of yours holds it'
            : `your \`${seen.what}\` (broker pid ${seen.pid}) still holds it`,
      };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}

/** Where the context keeps its locks: LOCKS_DIR for the broker, beside the records in tests. */
export function locksOf(ctx: BrokerContext): string {
  return ctx.locks ?? path.join(path.dirname(ctx.records), 'locks');
}

/** The refusal when the lock cannot be had: nothing was counted, so nothing is started. */
export function lockRefusal(why: string, extra: Partial<Outcome> = {}): Outcome {
  return refused(
    'resource-limits',
    `your running containers cannot be counted against this host's ceiling (policy run.maxContainersPerUser) just now: the per-developer lock: ${why}; nothing was started`,
    'Your runs and starts take that lock one at a time: wait for the other one to finish, then try again.',
    extra,
  );
}

/** Runs `fn` (a verb that counts against the ceiling, then starts) under the caller's lock. */
export async function underCallerLock(
  ctx: BrokerContext,
  what: string,
  fn: (release: () => void) => Promise<Outcome>,
): Promise<Outcome> {
  const lock = await takeCallerLock(locksOf(ctx), ctx.caller.uid, what);
  if (!lock.held) return lockRefusal(lock.why);
  try {
    return await fn(() => lock.release());
  } finally {
    lock.release();
  }
}
