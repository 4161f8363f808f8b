// Who owns a container is a fact only the broker writes: one root-owned record per container it
// created (/var/lib/cida-docker/containers/<id>.json), made right after `docker create` and before
// anything else happens to it. Labels are never trusted for this: an image's labels are merged
// into every container made from it, and any build can set them. A container without a record
// belongs to nobody but administrators.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A record says who created the container and the numeric identity it was created to run as. */
export interface ContainerRecord {
  /** Full 64-hex container id. */
  readonly id: string;
  /** The caller who created it (from sudo). */
  readonly uid: number;
  readonly user: string;
  /** The numeric user it was created with (`--user UID:GID`), resolved once at create time. */
  readonly runAs: { readonly uid: number; readonly gid: number };
  /** Image id (sha256:…) it was created from. */
  readonly image: string;
  readonly created: string;
}

export class OwnershipError extends Error {
  override readonly name = 'OwnershipError';
}

const ID = /^[0-9a-f]{64}$/;
/** A record is a few hundred bytes: anything larger is not one of ours. */
const MAX_RECORD_BYTES = 4096;

/**
 * The record directory, created root:root 0700 when missing. Anything else there (not a
 * directory, not root's, writable by others) means somebody else could have written records:
 * fail closed.
 */
export function ownershipDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const rootOnly = process.getuid?.() !== 0 || st.uid === 0;
  if (!st.isDirectory() || !rootOnly || (st.mode & 0o022) !== 0)
    throw new OwnershipError(
      `${dir} must be a root-owned directory that only root can write; run \`cida-docker doctor\``,
    );
  return dir;
}

function isRecord(v: unknown, id: string): v is ContainerRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const runAs = r.runAs as Record<string, unknown> | undefined;
  return (
    r.id === id &&
    Number.isSafeInteger(r.uid) &&
    typeof r.user === 'string' &&
    typeof runAs === 'object' &&
    runAs !== null &&
    Number.isSafeInteger(runAs.uid) &&
    Number.isSafeInteger(runAs.gid) &&
    typeof r.image === 'string' &&
    typeof r.created === 'string'
  );
}

/** Writes the record atomically (temp file, fsync, rename): a reader never sees half of one. */
export function writeRecord(dir: string, record: ContainerRecord): void {
  if (!ID.test(record.id)) throw new OwnershipError(`not a container id: ${record.id}`);
  ownershipDir(dir);
  const tmp = path.join(dir, `.${record.id}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(
    tmp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fs.writeSync(fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, `${record.id}.json`));
}

/** The record of container `id`, or null when the broker never made one (or it is not valid). */
export function readRecord(dir: string, id: string): ContainerRecord | null {
  if (!ID.test(id)) return null;
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, `${id}.json`), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_RECORD_BYTES || (process.getuid?.() === 0 && st.uid !== 0)) return null;
    const buf = Buffer.alloc(st.size);
    fs.readSync(fd, buf, 0, st.size, 0);
    const json: unknown = JSON.parse(buf.toString('utf8'));
    return isRecord(json, id) ? json : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Records of the given containers, by id (those without a valid record are left out). */
export function readRecords(dir: string, ids: readonly string[]): Map<string, ContainerRecord> {
  const out = new Map<string, ContainerRecord>();
  for (const id of ids) {
    const r = readRecord(dir, id);
    if (r) out.set(id, r);
  }
  return out;
}

/** More records than this and ownRecords leaves it to a full listing (which prunes the stale ones). */
export const MAX_RECORDS_READ = 256;

/**
 * Ids of the containers the broker's records say `uid` created, without asking the engine: each
 * record read and checked as readRecord does (root's, a regular file, its id its name), so a
 * record somebody else wrote, or one of another caller's, never counts. Records of containers
 * removed since are included (an id that matches nothing). Null when there are more than `max`
 * records: the caller then lists the engine instead.
 */
export function ownRecords(dir: string, uid: number, max = MAX_RECORDS_READ): string[] | null {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const ids = names.flatMap((n) => /^([0-9a-f]{64})\.json$/.exec(n)?.[1] ?? []);
  if (ids.length > max) return null;
  return ids.filter((id) => readRecord(dir, id)?.uid === uid).sort();
}

export function removeRecord(dir: string, id: string): void {
  if (!ID.test(id)) return;
  fs.rmSync(path.join(dir, `${id}.json`), { force: true });
}

/**
 * Drops records of containers the engine no longer has (removed with `rm`, by --rm, or by an
 * administrator). `existing` is a full `ps -a` listing taken after the records it judges were
 * written, so a container being created right now is never dropped.
 */
export function pruneRecords(
  dir: string,
  existing: ReadonlySet<string>,
  olderThanMs = 60_000,
  now = Date.now(),
): number {
  let pruned = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^([0-9a-f]{64})\.json$/.exec(name);
    if (!m || existing.has(m[1])) continue;
    try {
      if (now - fs.lstatSync(path.join(dir, name)).mtimeMs < olderThanMs) continue;
      fs.rmSync(path.join(dir, name), { force: true });
      pruned++;
    } catch {
      // gone already
    }
  }
  return pruned;
}
