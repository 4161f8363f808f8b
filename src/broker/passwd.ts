// What the broker reads back from the engine about users: files copied out of a container (a tar
// stream, bounded) and the ids of a running process in /proc. Which identity a spec means, and
// whether it is root, is decided in src/docker/user-spec.ts.
import { type Identity, ROOT_WORDS } from '../docker/user-spec.js';

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

export interface TarHeader {
  readonly name: string;
  /** '0' regular file, '2' symlink, '5' directory, … */
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** The first header of a tar stream (what `docker cp CONTAINER:PATH -` says about PATH), or null. */
export function tarHeader(tar: Buffer): TarHeader | null {
  if (tar.length < 512) return null;
  const field = (at: number, len: number): string =>
    tar
      .subarray(at, at + len)
      .toString('latin1')
      .replace(/\0.*$/s, '')
      .trim();
  const octal = (at: number, len: number): number | null => {
    const f = field(at, len);
    return /^[0-7]+$/.test(f) ? parseInt(f, 8) : null;
  };
  const mode = octal(100, 8);
  const uid = octal(108, 8);
  const gid = octal(116, 8);
  if (mode === null || uid === null || gid === null) return null;
  return { name: field(0, 100), type: String.fromCharCode(tar[156]) || '0', mode, uid, gid };
}

/**
 * True when a process running as `id` can change the file or directory the header describes: it
 * owns it (an owner may always chmod), or a write bit for its group or for others is set. A
 * symlink counts as writable (where it points is not checked here).
 */
export function writableBy(h: TarHeader, id: Identity): boolean {
  if (h.type === '2') return true;
  if (h.uid === id.uid) return true;
  if (h.gid === id.gid || id.groups.includes(h.gid)) return (h.mode & 0o020) !== 0;
  return (h.mode & 0o002) !== 0;
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
  if (ids.uids.includes(0)) return ROOT_WORDS.uid;
  if (ids.gids.includes(0)) return ROOT_WORDS.gid;
  if (ids.groups.includes(0)) return ROOT_WORDS.groups;
  return null;
}
