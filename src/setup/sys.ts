// Small system helpers for setup, doctor and the shim: run a program with a clean environment,
// look up users and groups, check that a path can be trusted by root, write files atomically.
import fs from 'node:fs';
import path from 'node:path';
import { execaSync } from 'execa';

/** What root runs on our behalf gets a fixed PATH and nothing else from the caller. */
export const CLEAN_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
  LC_ALL: 'C',
};

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started at all (e.g. ENOENT), or printed more than maxBytes. */
  readonly error?: string;
}

export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; maxBytes?: number } = {},
): RunResult {
  const r = execaSync(file, args, {
    // Exactly this environment: execa would otherwise merge in the caller's.
    env: options.env ?? CLEAN_ENV,
    extendEnv: false,
    cwd: '/',
    timeout: options.timeoutMs ?? 30_000,
    reject: false,
    stripFinalNewline: false,
    verbose: 'none', // not NODE_DEBUG=execa's logging
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    stdout: 'pipe',
    stderr: 'pipe',
    ...(options.maxBytes === undefined ? {} : { maxBuffer: options.maxBytes }),
  });
  if (r.isMaxBuffer)
    return { status: null, stdout: '', stderr: '', error: `${file} printed more than ${options.maxBytes} bytes` };
  // `cause` is set only when the program could not be run (ENOENT, ETIMEDOUT…): node's own error.
  const error = r.cause instanceof Error ? r.cause.message : undefined;
  return { status: r.exitCode ?? null, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error };
}

/** Runs a program and throws with its stderr when it fails. */
export function runOrThrow(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): string {
  const r = run(file, args, options);
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error ?? (r.stderr.trim() || r.stdout.trim() || `exit ${r.status}`);
    throw new Error(`${[file, ...args].join(' ')}: ${why}`);
  }
  return r.stdout;
}

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

export function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

export function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

export function mode(st: fs.Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}

export function ownerText(st: fs.Stats): string {
  return `${userName(st.uid) ?? st.uid}:${groupName(st.gid) ?? st.gid} ${mode(st)}`;
}

// ---------------------------------------------------------------------------------------------
// Users and groups, from the system's databases (getent: files, LDAP, sssd alike).

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export function getUser(nameOrUid: string | number): PasswdEntry | undefined {
  const r = run('getent', ['passwd', String(nameOrUid)]);
  if (r.status !== 0) return undefined;
  const f = r.stdout.trim().split('\n')[0].split(':');
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}

export function getGroup(nameOrGid: string | number): GroupEntry | undefined {
  const r = run('getent', ['group', String(nameOrGid)]);
  if (r.status !== 0) return undefined;
  const f = r.stdout.trim().split('\n')[0].split(':');
  return { name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(',').filter(Boolean) : [] };
}

const userNames = new Map<number, string | undefined>();
const groupNames = new Map<number, string | undefined>();

export function userName(uid: number): string | undefined {
  if (uid === 0) return 'root';
  if (!userNames.has(uid)) userNames.set(uid, getUser(uid)?.name);
  return userNames.get(uid);
}

export function groupName(gid: number): string | undefined {
  if (gid === 0) return 'root';
  if (!groupNames.has(gid)) groupNames.set(gid, getGroup(gid)?.name);
  return groupNames.get(gid);
}

/** Group ids of a user by the group database (what a new login session gets). */
export function groupIdsOf(user: string): number[] {
  const r = run('id', ['-G', '--', user]);
  if (r.status !== 0) return [];
  return r.stdout.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Whether `user` is in `group` by the group database (primary or supplementary). */
export function isMember(user: PasswdEntry, group: GroupEntry): boolean {
  return user.gid === group.gid || group.members.includes(user.name);
}

// ---------------------------------------------------------------------------------------------
// Trust: root may run or read a path only if no one else could have put it there.

/**
 * Problems that would let a non-root user change what `p` is: the file or any directory on the
 * way to it (symbolic links followed) not owned by root, or writable by group or others (a
 * sticky world-writable directory such as /tmp counts too: its owner-only rename protection does
 * not stop someone else's file from sitting there). Empty when root can trust the path.
 */
export function trustProblems(p: string): string[] {
  const problems: string[] = [];
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch (e) {
    return [`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message}`];
  }
  const seen = new Set<string>();
  const visit = (q: string): void => {
    // Check every component as named (a symlink on the way is a component too) and as resolved.
    const parts = path.resolve(q).split('/').filter(Boolean);
    let cur = '/';
    for (const part of ['', ...parts]) {
      cur = part === '' ? '/' : path.join(cur, part);
      if (seen.has(cur)) continue;
      seen.add(cur);
      const st = lstat(cur);
      if (!st) continue;
      if (st.isSymbolicLink()) {
        if (st.uid !== 0) problems.push(`${cur}: symbolic link owned by uid ${st.uid}, not root`);
        continue;
      }
      if (st.uid !== 0) problems.push(`${cur}: owned by ${userName(st.uid) ?? st.uid}, not root`);
      else if ((st.mode & 0o022) !== 0)
        problems.push(`${cur}: writable by ${st.mode & 0o020 ? 'group' : 'others'} (mode ${mode(st)})`);
    }
  };
  visit(p);
  if (real !== path.resolve(p)) visit(real);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Writing root-owned files.

/**
 * Writes `content` to `file` atomically: a temporary file beside it (its name has a dot, so
 * sudo's @includedir skips it), owner and mode set before the rename, `check` run on the
 * temporary file (throw to refuse it), then renamed into place.
 */
export function writeFileAtomic(
  file: string,
  content: string | Buffer,
  fileMode: number,
  check?: (tmp: string) => void,
): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(
    tmp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o600,
  );
  try {
    try {
      fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fs.fchownSync(fd, 0, 0);
      fs.fchmodSync(fd, fileMode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    check?.(tmp);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Creates a directory (and nothing above it) with this owner and mode, or fixes them. */
export function ensureDir(dir: string, dirMode: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: dirMode });
  fs.chownSync(dir, 0, 0);
  fs.chmodSync(dir, dirMode);
}

/** Where an executable is first found on a PATH. */
export function which(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(':')) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
