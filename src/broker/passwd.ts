// Which numeric identity a container's user spec means, read from the container's own
// /etc/passwd and /etc/group the way the engine reads them (moby/sys/user GetExecUser). The
// broker resolves it once, at create time, and then creates the container with the numbers:
// a name is looked up again by the engine at every start and exec, in files the container can
// rewrite, so only a numeric `UID:GID` stays what it was checked to be.

/** Largest /etc/passwd or /etc/group the broker reads out of a container. */
export const MAX_ACCOUNT_FILE_BYTES = 1024 * 1024;

export interface TarFile {
  readonly type: 'file' | 'other';
  readonly content: Buffer;
}

/** The first entry of a tar stream: a regular file and its content, or 'other'; null when not a tar. */
export function firstTarFile(tar: Buffer): TarFile | null {
  if (tar.length < 512) return null;
  const type = String.fromCharCode(tar[156]);
  const sizeField = tar.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(sizeField)) return null;
  const size = parseInt(sizeField, 8);
  if (type !== '0' && type !== '\0') return { type: 'other', content: Buffer.alloc(0) };
  if (512 + size > tar.length) return null;
  return { type: 'file', content: tar.subarray(512, 512 + size) };
}

export interface Identity {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups the engine would add from /etc/group (only without an explicit group). */
  readonly groups: readonly number[];
}

export type Resolved = { readonly kind: 'ok'; readonly id: Identity } | { readonly kind: 'error'; readonly why: string };

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}
interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

// Go's strconv.Atoi accepts a sign; the engine then treats "+5" like 5.
const ATOI = /^[+-]?[0-9]+$/;

function atoi(s: string): number | null {
  if (!ATOI.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** moby/sys/user ParsePasswd: name:password:uid:gid:gecos:home:shell, bad lines skipped. */
function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = atoi(f[2] ?? '');
    const gid = atoi(f[3] ?? '');
    // The engine parses a missing or bad number as 0: that is root, so keep it as 0.
    out.push({ name: f[0], uid: uid ?? 0, gid: gid ?? 0 });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    out.push({ name: f[0], gid: atoi(f[2] ?? '') ?? 0, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

/**
 * The identity `spec` (`user[:group]`, as given with -u or the image's USER) runs as in a
 * container whose /etc/passwd and /etc/group are `passwd` and `group` (null: the file is missing).
 * Mirrors GetExecUser: an empty user is root (uid 0); a numeric user not in passwd keeps gid 0;
 * a name not in passwd is an error; an explicit group wins (when /etc/group exists) and then no
 * supplementary groups are added; without one, every group that lists the user's name is added.
 */
export function resolveUserSpec(spec: string, passwd: string | null, group: string | null): Resolved {
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const users = passwd === null ? [] : parsePasswd(passwd);
  const groups = group === null ? [] : parseGroup(group);

  let uid = 0;
  let gid = 0;
  const uidArg = atoi(userArg);
  const match = users.find((u) => (userArg === '' ? u.uid === 0 : uidArg !== null ? u.uid === uidArg : u.name === userArg));
  if (match) {
    uid = match.uid;
    gid = match.gid;
  } else if (userArg !== '') {
    if (uidArg === null) return { kind: 'error', why: `no user "${userArg}" in the image's /etc/passwd` };
    if (uidArg < 0) return { kind: 'error', why: `uid ${userArg} is negative` };
    uid = uidArg;
  }

  // Without an /etc/group the engine ignores the group part altogether (the gid stays the
  // passwd entry's, or 0): a container that can delete its /etc/group changes its gid at restart.
  let supplementary: number[] = [];
  if (group !== null && groupArg !== '') {
    const gidArg = atoi(groupArg);
    const g = groups.find((e) => (gidArg === null ? e.name === groupArg : e.gid === gidArg));
    if (g) gid = g.gid;
    else if (gidArg !== null && gidArg >= 0) gid = gidArg;
    else return { kind: 'error', why: `no group "${groupArg}" in the image's /etc/group` };
  } else if (group !== null && match) {
    supplementary = groups.filter((g) => g.members.includes(match.name)).map((g) => g.gid);
  }
  return { kind: 'ok', id: { uid, gid, groups: [...new Set(supplementary)] } };
}

/**
 * The gids `--group-add` entries mean (moby/sys/user GetAdditionalGroups): a group whose *name*
 * or gid equals the entry, else the entry as a number. Every matching group counts, so a group
 * named "1000" with gid 0 shows up as 0. A string is the error.
 */
export function additionalGroups(added: readonly string[], group: string | null): number[] | string {
  const groups = group === null ? [] : parseGroup(group);
  const out: number[] = [];
  for (const ag of added) {
    const matches = groups.filter((g) => g.name === ag || String(g.gid) === ag);
    if (matches.length > 0) {
      out.push(...matches.map((g) => g.gid));
      continue;
    }
    const n = atoi(ag);
    if (n === null || n < 0) return `no group "${ag}" in the image's /etc/group`;
    out.push(n);
  }
  return [...new Set(out)];
}

/** The one question about an identity: does it hold root's uid or group anywhere? */
export function rootPart(id: Identity): string | null {
  if (id.uid === 0) return 'uid 0';
  if (id.gid === 0) return 'gid 0 (group root)';
  if (id.groups.includes(0)) return 'supplementary group 0 (root)';
  return null;
}

export interface ProcIds {
  readonly uids: readonly number[];
  readonly gids: readonly number[];
  readonly groups: readonly number[];
}

/** Uid (real, effective, saved, fs), Gid (same) and Groups of /proc/<pid>/status; null if unreadable. */
export function idsFromStatus(status: string): ProcIds | null {
  const four = (key: string): number[] | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$`, 'm').exec(status);
    return m ? m.slice(1, 5).map(Number) : null;
  };
  const uids = four('Uid');
  const gids = four('Gid');
  const g = /^Groups:[ \t]*([0-9 \t]*)$/m.exec(status);
  if (!uids || !gids || !g) return null;
  return { uids, gids, groups: g[1].trim() === '' ? [] : g[1].trim().split(/\s+/).map(Number) };
}

/** What of root a running process holds, by its /proc ids; null when nothing. */
export function rootInProc(ids: ProcIds): string | null {
  if (ids.uids.includes(0)) return 'uid 0';
  if (ids.gids.includes(0)) return 'gid 0 (group root)';
  if (ids.groups.includes(0)) return 'supplementary group 0 (root)';
  return null;
}
