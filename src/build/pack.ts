// Packing a build context as the developer: the directory walked as docker's client walks it
// (.dockerignore applied, symlinks kept as links and never followed), every file checked readable
// before anything is sent, then one tar stream with the Dockerfile first under a fixed name.
// Runs in the front end only; the broker never sees a path.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import tar from 'tar-stream';
import { goClean, keepBuildFiles, type MatchInfo, PatternMatcher, readDockerignore } from './dockerignore.js';

/** The Dockerfile's name in the stream when it is not a file of the context (stdin, or outside it). */
export const RESERVED_DOCKERFILE = '.cida-dockerfile';
/** Dockerfiles larger than this are refused on both sides. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/** A problem with the developer's files: exit 1, nothing sent. */
export class PackError extends Error {
  override readonly name = 'PackError';
}

export interface ContextEntry {
  /** Path inside the context, slash-separated, no leading './'. */
  readonly name: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly size: number;
  readonly mode: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
  readonly linkname?: string;
}

export interface Dockerfile {
  /** Its name in the stream (relative to the context, or RESERVED_DOCKERFILE). */
  readonly name: string;
  readonly bytes: Buffer;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM'
    ? 'permission denied'
    : code === 'ENOENT'
      ? 'no such file or directory'
      : (e as Error).message;
}

/** Reads a Dockerfile the developer named (following links, as the developer), bounded. */
export function readDockerfileBytes(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new PackError(`cannot read the Dockerfile ${file}: ${errnoText(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new PackError(`the Dockerfile ${file} is not a regular file`);
    if (st.size > MAX_DOCKERFILE_BYTES)
      throw new PackError(`the Dockerfile ${file} is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/** The .dockerignore patterns of a context directory (none when it has no .dockerignore). */
export function contextPatterns(dir: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, '.dockerignore'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new PackError(`cannot read ${path.join(dir, '.dockerignore')}: ${errnoText(e)}`);
  }
  return readDockerignore(text);
}

/**
 * The entries docker's client would send for `dir` (pkg/archive TarWithOptions with the
 * .dockerignore patterns), in its order, without file contents. Throws PackError naming every
 * file the developer cannot read (docker's ValidateContextDirectory).
 * `dockerfile`: the Dockerfile's path inside the context (always sent), or null.
 */
export function walkContext(dir: string, patterns: readonly string[], dockerfile: string | null): ContextEntry[] {
  const pm = new PatternMatcher(keepBuildFiles(patterns, dockerfile));
  const out: ContextEntry[] = [];
  const unreadable: string[] = [];
  const visit = (rel: string, parent: MatchInfo): void => {
    const abs = rel === '' ? dir : path.join(dir, rel);
    let names: string[];
    try {
      names = fs.readdirSync(abs);
    } catch (e) {
      unreadable.push(`${rel || '.'}/ (${errnoText(e)})`);
      return;
    }
    names.sort();
    for (const n of names) {
      const name = rel === '' ? n : `${rel}/${n}`;
      const full = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(full);
      } catch (e) {
        unreadable.push(`${name} (${errnoText(e)})`);
        continue;
      }
      const { excluded, info } = pm.matchesUsingParent(name, parent);
      if (excluded) {
        if (!st.isDirectory() || !pm.mayIncludeUnder(name)) continue;
        visit(name, info);
        continue;
      }
      const base = { name, mode: st.mode & 0o7777, mtime: st.mtimeMs };
      if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', size: 0, linkname: fs.readlinkSync(full) });
      } else if (st.isDirectory()) {
        out.push({ ...base, type: 'directory', size: 0 });
        visit(name, info);
      } else if (st.isFile()) {
        try {
          fs.accessSync(full, fs.constants.R_OK);
          out.push({ ...base, type: 'file', size: st.size });
        } catch (e) {
          unreadable.push(`${name} (${errnoText(e)})`);
        }
      } else if (st.isSocket()) {
        continue; // docker's archive skips sockets too
      } else {
        unreadable.push(`${name} (a device or FIFO; a build context holds files, directories and symlinks only)`);
      }
    }
  };
  visit('', null);
  if (unreadable.length > 0) {
    const shown = unreadable.slice(0, 10).map((u) => `  ${path.join(dir, u)}`);
    const more = unreadable.length > 10 ? [`  … and ${unreadable.length - 10} more`] : [];
    throw new PackError(
      `cannot read ${unreadable.length === 1 ? 'a file' : `${unreadable.length} files`} of the build context ${dir}:\n${[...shown, ...more].join('\n')}\n` +
        '  Nothing was sent. Make them readable to you, or list them in .dockerignore.',
    );
  }
  return out;
}

/** Progress while sending. */
export interface PackProgress {
  files: number;
  bytes: number;
}

type EntryHeader = Parameters<tar.Pack['entry']>[0];

function dockerfileHeader(df: Dockerfile): EntryHeader {
  return { name: df.name, size: df.bytes.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' };
}

/** Files up to this size are read whole: a read stream per small file costs ~5 times the time. */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * The `size` bytes of a small file of the walk, read at once. Opened without following a link and
 * without blocking (a FIFO put there since the walk must not hang the build), and still a regular
 * file of at least that size, or the developer hears which file changed.
 */
function readSmallFile(abs: string, size: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new PackError(`cannot read ${abs}: ${errnoText(e)}`);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new PackError(`${abs} changed while it was being sent: not a file any more`);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) throw new PackError(`${abs} changed while it was being sent: it is shorter now`);
      got += n;
    }
    return buf;
  } catch (e) {
    throw e instanceof PackError ? e : new PackError(`cannot read ${abs}: ${errnoText(e)}`);
  } finally {
    fs.closeSync(fd);
  }
}

async function writeFile(pack: tar.Pack, dir: string, e: ContextEntry, progress: PackProgress): Promise<void> {
  const abs = path.join(dir, e.name);
  const header = {
    name: e.name,
    size: e.size,
    mode: e.mode,
    mtime: new Date(e.mtime),
    uid: 0,
    gid: 0,
    type: 'file',
  } as const;
  if (e.size <= SMALL_FILE_BYTES) {
    const bytes = readSmallFile(abs, e.size);
    // The callback comes once the pack has taken the bytes, after it drained: back-pressure holds.
    await new Promise<void>((resolve, reject) => pack.entry(header, bytes, (err) => (err ? reject(err) : resolve())));
    progress.bytes += bytes.length;
    return;
  }
  let sink!: ReturnType<tar.Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  const src = fs.createReadStream(abs, { start: 0, end: e.size - 1, highWaterMark: 256 * 1024 });
  src.on('error', (err) => sink.destroy(new PackError(`cannot read ${abs}: ${errnoText(err)}`)));
  for await (const chunk of src) {
    progress.bytes += (chunk as Buffer).length;
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  sink.end(undefined);
  await done;
}

/**
 * Writes the tar of the Dockerfile (first) and `entries` into `pack`, then finalizes it.
 * The context's own copy of the Dockerfile (same name) is not sent twice.
 */
export async function packContext(
  pack: tar.Pack,
  dir: string,
  df: Dockerfile,
  entries: readonly ContextEntry[],
  progress: PackProgress,
): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    pack.entry(dockerfileHeader(df), df.bytes, (err) => (err ? reject(err) : resolve())),
  );
  progress.files++;
  progress.bytes += df.bytes.length;
  for (const e of entries) {
    if (e.name === df.name) continue;
    if (e.type === 'file') await writeFile(pack, dir, e, progress);
    else if (e.type === 'directory')
      await new Promise<void>((resolve, reject) =>
        pack.entry(
          { name: e.name, mode: e.mode, mtime: new Date(e.mtime), uid: 0, gid: 0, type: 'directory' },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    else
      await new Promise<void>((resolve, reject) =>
        pack.entry(
          {
            name: e.name,
            mode: e.mode,
            mtime: new Date(e.mtime),
            uid: 0,
            gid: 0,
            type: 'symlink',
            linkname: e.linkname,
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    progress.files++;
  }
  pack.finalize();
}

/** The Dockerfile's name in the stream: its path inside the context, or the reserved name. */
export function dockerfileNameIn(contextDir: string, dockerfile: string): string {
  const rel = path.relative(contextDir, dockerfile).split(path.sep).join('/');
  if (rel === '' || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) return RESERVED_DOCKERFILE;
  return goClean(rel);
}
