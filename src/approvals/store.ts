// The approvals store: root's record of which Dockerfiles (exact bytes) may be built into which
// repository, with the whole history of every decision, and of which image was built from what
// (provenance). Only the broker opens it, as root; it imports node: builtins only.
//
// Layout (APPROVALS_DIR = /var/lib/cida-docker/approvals, root:root 0700; files root:root 0600):
//   <sha256>.json          one approval: the Dockerfile's bytes, its sha256 (the whole 64 hex
//                          digits name the file), repository, requester, findings, state, history
//   images/<hex>.json      provenance of one image id: every build that produced it
//   .lock                  the writers' lock (see Lock below)
//   .tmp-*                 a write in progress (one left by a crashed writer is removed by the next)
//
// Keying. An approval is for one Dockerfile's bytes and one repository, and it is named by its
// sha256: the id people type is the first 12 hex digits (longer when needed to be unique, like
// git). There is one approval per Dockerfile: requesting the same bytes for the same repository
// again is idempotent (the same approval comes back, nothing is written); requesting the same
// bytes for another repository while the approval is pending or approved is refused (a conflict:
// the fix is to change the Dockerfile, e.g. a comment naming the repository, which is then a
// different file for the reviewer to read). A rejected approval may be requested again (for any
// repository): it goes back to pending, its history keeps the rejection. A revoked approval is
// final: those bytes are never built again; change the Dockerfile and request anew.
// Two different Dockerfiles can share the first 12 hex digits (2^24 tries make such a pair): they
// are two files here, a 12-digit prefix naming both is "ambiguous", and the build checks the
// whole sha256, never a prefix.
//
// Writes are atomic and serialised: under the lock, read the document, change it, write a temp
// file, fsync it, rename it over the document, fsync the directory. Readers take no lock (a
// rename is atomic: they see the old document or the new one).
//
// Fail closed: the store directory, its parent (for the real store) or a document that is not
// owned by the store's owner (root), or is group- or world-writable, or a symlink, or a document
// that does not parse as a valid record → StoreError (the broker exits 78 and does nothing).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'revoked'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];
export type ApprovalAction = 'request' | 'approve' | 'reject' | 'revoke';

/** Who did something: the name and uid sudo reported for the caller. */
export interface Person {
  readonly user: string;
  readonly uid: number;
}

/** A lint finding as stored (the shape of src/dockerfile's LintFinding, kept here as data). */
export interface StoredFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly message: string;
  readonly fix: string;
}

export interface Transition {
  readonly action: ApprovalAction;
  /** null for the first request. */
  readonly from: ApprovalState | null;
  readonly to: ApprovalState;
  readonly by: Person;
  /** ISO 8601. */
  readonly time: string;
  /** request and approve: the optional note. */
  readonly note?: string;
  /** reject and revoke: the reason (required). */
  readonly reason?: string;
  /** request: the repository asked for. */
  readonly repository?: string;
}

export interface Approval {
  readonly v: 1;
  /** The first 12 hex digits of sha256 (see shortId for the unique form). */
  readonly id: string;
  /** sha256 of the Dockerfile's bytes, 64 lower-case hex digits. */
  readonly sha256: string;
  /** The Dockerfile's exact bytes, base64. */
  readonly dockerfile: string;
  /** `host[:port]/path`, inside the policy's trustedRegistries when requested. */
  readonly repository: string;
  /** Who requested it last (the first requester is history[0].by). */
  readonly requester: Person;
  /** When it was (last) requested, ISO 8601. */
  readonly time: string;
  readonly note?: string;
  /** The broker's lint findings at the (last) request. */
  readonly findings: readonly StoredFinding[];
  readonly state: ApprovalState;
  /** Every transition, oldest first. */
  readonly history: readonly Transition[];
}

export interface BuildRecord {
  /** `sha256:<64 hex>` (a bare 64-hex id is accepted and normalised). */
  readonly imageId: string;
  readonly builder: Person;
  /** The approval's 12-digit id. */
  readonly approvalId: string;
  /** The Dockerfile's sha256 (64 hex). */
  readonly sha256: string;
  readonly tags: readonly string[];
  /** ISO 8601; default now. */
  readonly time?: string;
}

export interface Provenance {
  readonly v: 1;
  readonly imageId: string;
  /** Every build that produced this image id, oldest first (at most MAX_BUILDS, the latest kept). */
  readonly builds: readonly Required<Omit<BuildRecord, 'imageId'>>[];
}

/** The store cannot be trusted (foreign-owned, writable by others, garbled): the broker exits 78. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/**
 * A request the store refuses: `not-found` and `ambiguous` (a bad id: usage, exit 2), `conflict`
 * (same bytes, other repository; revoked is final), `transition` (not allowed from the current
 * state), `self-approval` (exit 77 for these three).
 */
export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
  constructor(
    readonly code: 'not-found' | 'ambiguous' | 'conflict' | 'transition' | 'self-approval',
    message: string,
  ) {
    super(message);
  }
}

export const ID_LENGTH = 12;
/** A Dockerfile larger than this is not stored (the broker's request limit is smaller still). */
export const MAX_DOCKERFILE_BYTES = 96 * 1024;
const MAX_DOC_BYTES = 1024 * 1024;
const MAX_BUILDS = 200;
const SHA = /^[0-9a-f]{64}$/;
const DOC = /^([0-9a-f]{64})\.json$/;

export interface StoreOptions {
  /** The store directory (default: the real one, APPROVALS_DIR). Tests use a temp dir. */
  readonly root: string;
  /** The uid that must own the store and every file in it (default: the process's, root for the broker). */
  readonly owner?: number;
  /** Also check the parent directory's owner and mode (default: true for the real store). */
  readonly checkParent?: boolean;
  /** Clock, for tests. */
  readonly now?: () => Date;
  /** How long to wait for the lock before giving up (ms, default 10 000). */
  readonly lockTimeoutMs?: number;
}

export interface RequestInput {
  readonly dockerfile: Buffer;
  readonly repository: string;
  readonly requester: Person;
  readonly note?: string;
  readonly findings: readonly StoredFinding[];
}

export function sha256Hex(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

// ---------------------------------------------------------------- validation of stored records

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validPerson(v: unknown): v is Person {
  return (
    isObj(v) && typeof v.user === 'string' && v.user.length > 0 && Number.isSafeInteger(v.uid) && (v.uid as number) >= 0
  );
}

function validFinding(v: unknown): v is StoredFinding {
  return (
    isObj(v) &&
    typeof v.rule === 'string' &&
    ['error', 'warning', 'info'].includes(v.severity as string) &&
    Number.isSafeInteger(v.line) &&
    Number.isSafeInteger(v.column) &&
    Number.isSafeInteger(v.length) &&
    typeof v.message === 'string' &&
    typeof v.fix === 'string'
  );
}

function validState(v: unknown): v is ApprovalState {
  return typeof v === 'string' && (APPROVAL_STATES as readonly string[]).includes(v);
}

function validTransition(v: unknown): v is Transition {
  return (
    isObj(v) &&
    ['request', 'approve', 'reject', 'revoke'].includes(v.action as string) &&
    (v.from === null || validState(v.from)) &&
    validState(v.to) &&
    validPerson(v.by) &&
    typeof v.time === 'string' &&
    (v.note === undefined || typeof v.note === 'string') &&
    (v.reason === undefined || typeof v.reason === 'string') &&
    (v.repository === undefined || typeof v.repository === 'string')
  );
}

/** Throws unless `v` is a well-formed approval whose name, bytes and hash agree. */
function checkApproval(v: unknown, sha: string, where: string): Approval {
  const bad = (why: string): never => {
    throw new StoreError(
      `${where}: not a valid approval record (${why}); the store is not trusted, nothing is decided. An administrator must inspect or remove the file.`,
    );
  };
  if (!isObj(v)) return bad('not a JSON object');
  if (v.v !== 1) bad('unknown version');
  if (v.sha256 !== sha) bad('sha256 does not match the file name');
  if (v.id !== sha.slice(0, ID_LENGTH)) bad('id does not match the sha256');
  if (typeof v.dockerfile !== 'string') bad('no Dockerfile');
  const bytes = Buffer.from(v.dockerfile as string, 'base64');
  if (bytes.toString('base64') !== v.dockerfile || sha256Hex(bytes) !== sha)
    bad('the Dockerfile bytes do not hash to the sha256');
  if (typeof v.repository !== 'string' || v.repository === '') bad('no repository');
  if (!validPerson(v.requester)) bad('bad requester');
  if (typeof v.time !== 'string') bad('bad time');
  if (v.note !== undefined && typeof v.note !== 'string') bad('bad note');
  if (!Array.isArray(v.findings) || !v.findings.every(validFinding)) bad('bad findings');
  if (!validState(v.state)) bad('bad state');
  if (!Array.isArray(v.history) || v.history.length === 0 || !v.history.every(validTransition)) bad('bad history');
  const h = v.history as Transition[];
  if (h[h.length - 1].to !== v.state) bad('state does not match the history');
  return v as unknown as Approval;
}

function checkProvenance(v: unknown, hex: string, where: string): Provenance {
  const ok =
    isObj(v) &&
    v.v === 1 &&
    v.imageId === `sha256:${hex}` &&
    Array.isArray(v.builds) &&
    v.builds.every(
      (b) =>
        isObj(b) &&
        validPerson(b.builder) &&
        typeof b.approvalId === 'string' &&
        typeof b.sha256 === 'string' &&
        SHA.test(b.sha256) &&
        Array.isArray(b.tags) &&
        b.tags.every((t) => typeof t === 'string') &&
        typeof b.time === 'string',
    );
  if (!ok)
    throw new StoreError(
      `${where}: not a valid provenance record; the store is not trusted. An administrator must inspect or remove the file.`,
    );
  return v as unknown as Provenance;
}

/** `sha256:<hex>` or `<hex>` (64 hex) → the 64 hex digits; anything else throws. */
export function imageIdHex(imageId: string): string {
  const hex = imageId.startsWith('sha256:') ? imageId.slice(7) : imageId;
  if (!SHA.test(hex))
    throw new ApprovalError(
      'not-found',
      `not an image id: ${JSON.stringify(imageId)} (expected sha256:<64 hex digits>)`,
    );
  return hex;
}

// ---------------------------------------------------------------- files

function describeMode(st: fs.Stats): string {
  return `owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

/**
 * Lock: a file `.lock` created with O_EXCL holding "<pid> <start ms> <token>". Another writer
 * waits (polling, up to lockTimeoutMs). The lock is stale when its pid no longer exists (a broker
 * killed mid-write) or it is older than STALE_MS (a holder stopped with SIGSTOP: it re-checks its
 * token before committing and gives up when it lost the lock). A stale lock is broken by renaming
 * it to a private name and checking it is still the one judged stale; if another writer's fresh
 * lock was caught instead, it is linked back. node has no flock(2); this needs none.
 */
const STALE_MS = 60_000;

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ApprovalStore {
  readonly root: string;
  private readonly owner: number;
  private readonly checkParent: boolean;
  private readonly now: () => Date;
  private readonly lockTimeoutMs: number;
  private lockToken: string | null = null;

  constructor(options: StoreOptions) {
    this.root = options.root;
    this.owner = options.owner ?? process.getuid?.() ?? 0;
    this.checkParent = options.checkParent ?? false;
    this.now = options.now ?? (() => new Date());
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  // ------------------------------------------------------------ checks

  private checkDir(dir: string, what: string): void {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch (e) {
      throw new StoreError(`${what} ${dir}: ${(e as Error).message}`);
    }
    if (!st.isDirectory())
      throw new StoreError(`${what} ${dir} is not a directory (a symlink or a file); the store is not trusted`);
    if (st.uid !== this.owner || (st.mode & 0o022) !== 0)
      throw new StoreError(
        `${what} ${dir} must be owned by uid ${this.owner} and writable by it alone (${describeMode(st)}); the store is not trusted. Fix: chown root:root ${dir} && chmod 0700 ${dir}`,
      );
  }

  /** Creates the store (0700) when missing, then checks it. Throws StoreError. */
  ensure(): void {
    if (!fs.existsSync(this.root)) fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    this.check();
    const images = path.join(this.root, 'images');
    fs.mkdirSync(images, { recursive: true, mode: 0o700 }); // no error when another broker made it first
    this.checkDir(images, 'provenance directory');
  }

  /** Checks the store directory (and its parent, for the real store). Throws StoreError. */
  check(): void {
    if (this.checkParent) this.checkDir(path.dirname(this.root), 'state directory');
    this.checkDir(this.root, 'approvals store');
  }

  private readJson(file: string): unknown | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new StoreError(
        `${file}: ${code === 'ELOOP' ? 'a symlink' : (e as Error).message}; the store is not trusted`,
      );
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new StoreError(`${file}: not a regular file; the store is not trusted`);
      if (st.uid !== this.owner || (st.mode & 0o022) !== 0)
        throw new StoreError(
          `${file} must be owned by uid ${this.owner} and writable by it alone (${describeMode(st)}); the store is not trusted. Fix: chown root:root ${file} && chmod 0600 ${file}`,
        );
      if (st.size > MAX_DOC_BYTES)
        throw new StoreError(`${file}: too large (${st.size} bytes); the store is not trusted`);
      const text = fs.readFileSync(fd, 'utf8');
      try {
        return JSON.parse(text);
      } catch {
        throw new StoreError(
          `${file}: not valid JSON (garbled); the store is not trusted, nothing is decided. An administrator must inspect or remove the file.`,
        );
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  private writeAtomic(file: string, value: unknown): void {
    this.assertLockHeld();
    const dir = path.dirname(file);
    const tmp = path.join(this.root, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    const data = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    const fd = fs.openSync(
      tmp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    const dfd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  }

  // ------------------------------------------------------------ lock

  private get lockPath(): string {
    return path.join(this.root, '.lock');
  }

  private assertLockHeld(): void {
    let text = '';
    try {
      text = fs.readFileSync(this.lockPath, 'utf8');
    } catch {
      // missing: lost
    }
    if (this.lockToken === null || !text.endsWith(` ${this.lockToken}`))
      throw new StoreError(
        'lost the approvals store lock while holding it (this broker was stopped for more than a minute?); nothing was written, try again',
      );
  }

  /** Runs `fn` holding the writers' lock. */
  withLock<T>(fn: () => T): T {
    this.ensure();
    const token = crypto.randomBytes(8).toString('hex');
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 2;
    for (;;) {
      try {
        const fd = fs.openSync(
          this.lockPath,
          fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
          0o600,
        );
        fs.writeSync(fd, `${process.pid} ${Date.now()} ${token}`);
        fs.closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      this.breakIfStale();
      if (Date.now() > deadline) {
        let holder = '?';
        try {
          holder = fs.readFileSync(this.lockPath, 'utf8').split(' ')[0];
        } catch {
          // gone meanwhile
        }
        throw new StoreError(
          `the approvals store is busy (lock ${this.lockPath} held by pid ${holder} for over ${this.lockTimeoutMs / 1000} s); try again`,
        );
      }
      sleepMs(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
    this.lockToken = token;
    try {
      // Temp files are written only under the lock: any left now is a crashed writer's.
      for (const n of fs.readdirSync(this.root))
        if (n.startsWith('.tmp-')) fs.rmSync(path.join(this.root, n), { force: true });
      return fn();
    } finally {
      this.lockToken = null;
      try {
        if (fs.readFileSync(this.lockPath, 'utf8').endsWith(` ${token}`)) fs.unlinkSync(this.lockPath);
      } catch {
        // already broken by another writer
      }
    }
  }

  private breakIfStale(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.lockPath, 'utf8');
    } catch {
      return;
    }
    const [pidText, startText] = text.split(' ');
    const pid = Number(pidText);
    const start = Number(startText);
    // A lock being written (not yet holding its pid) is fresh; one that never says who holds it
    // for a second is garbage.
    const garbage = !(Number.isSafeInteger(pid) && pid > 0 && Number.isFinite(start));
    if (garbage) {
      try {
        if (Date.now() - fs.statSync(this.lockPath).mtimeMs < 1000) return;
      } catch {
        return;
      }
    } else if (pidAlive(pid) && Date.now() - start < STALE_MS) return;
    const aside = `${this.lockPath}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      fs.renameSync(this.lockPath, aside);
    } catch {
      return; // someone else broke it
    }
    let caught = '';
    try {
      caught = fs.readFileSync(aside, 'utf8');
    } catch {
      // vanished
    }
    if (caught !== text) {
      // Another writer's fresh lock: put it back (unless a third one already holds a new lock).
      try {
        fs.linkSync(aside, this.lockPath);
      } catch {
        // a new lock exists: that writer's lock stands
      }
    }
    fs.rmSync(aside, { force: true });
  }

  // ------------------------------------------------------------ reading

  private docPath(sha: string): string {
    return path.join(this.root, `${sha}.json`);
  }

  private shas(): string[] {
    this.check();
    return fs
      .readdirSync(this.root)
      .map((n) => DOC.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
  }

  private load(sha: string): Approval | undefined {
    const file = this.docPath(sha);
    const v = this.readJson(file);
    return v === undefined ? undefined : checkApproval(v, sha, file);
  }

  /** The approval for these exact bytes (the whole sha256), or undefined. Throws StoreError. */
  approvalFor(sha256: string): Approval | undefined {
    if (!SHA.test(sha256)) return undefined;
    if (!fs.existsSync(this.root)) return undefined;
    this.check();
    return this.load(sha256);
  }

  /** True when these bytes are approved (and, when given, for this repository `host[:port]/path`). */
  isApproved(sha256: string, repository?: string): boolean {
    const a = this.approvalFor(sha256);
    return a !== undefined && a.state === 'approved' && (repository === undefined || a.repository === repository);
  }

  /** Every approval (optionally in one state), oldest request first. Throws StoreError on any bad document. */
  list(filter: { state?: ApprovalState } = {}): Approval[] {
    if (!fs.existsSync(this.root)) return [];
    const all = this.shas()
      .map((s) => this.load(s))
      .filter((a): a is Approval => a !== undefined);
    return all
      .filter((a) => filter.state === undefined || a.state === filter.state)
      .sort((a, b) => a.history[0].time.localeCompare(b.history[0].time) || a.sha256.localeCompare(b.sha256));
  }

  /**
   * The approval a (lower-case hex) id or prefix names, like git: at least 4 digits, unique.
   * Throws ApprovalError not-found / ambiguous (naming the candidates), StoreError.
   */
  get(idOrPrefix: string): Approval {
    const p = idOrPrefix.toLowerCase();
    if (!/^[0-9a-f]{4,64}$/.test(p))
      throw new ApprovalError(
        'not-found',
        `${JSON.stringify(idOrPrefix)} is not an approval id: use 4 to 64 hex digits, as \`cida-docker approval list\` shows them`,
      );
    const hits = fs.existsSync(this.root) ? this.shas().filter((s) => s.startsWith(p)) : [];
    if (hits.length === 0)
      throw new ApprovalError('not-found', `no approval ${idOrPrefix}: see \`cida-docker approval list\``);
    if (hits.length > 1)
      throw new ApprovalError(
        'ambiguous',
        `approval id ${idOrPrefix} is ambiguous: it begins ${hits.length} approvals (${hits.map((s) => s.slice(0, Math.max(p.length + 4, ID_LENGTH))).join(', ')}); type more digits`,
      );
    const a = this.load(hits[0]);
    if (!a) throw new ApprovalError('not-found', `no approval ${idOrPrefix}`);
    return a;
  }

  /** The shortest prefix (at least 12 digits) that names only this approval. */
  shortId(a: Pick<Approval, 'sha256'>): string {
    const others = fs.existsSync(this.root) ? this.shas().filter((s) => s !== a.sha256) : [];
    let n = ID_LENGTH;
    while (n < 64 && others.some((s) => s.startsWith(a.sha256.slice(0, n)))) n++;
    return a.sha256.slice(0, n);
  }

  // ------------------------------------------------------------ transitions

  /**
   * Records a request for these bytes and repository. Returns the approval and whether anything
   * changed (`created` false: the same request again, idempotent). Throws ApprovalError conflict
   * (other repository while pending/approved; revoked), StoreError.
   */
  request(input: RequestInput): { approval: Approval; created: boolean } {
    if (input.dockerfile.length > MAX_DOCKERFILE_BYTES)
      throw new ApprovalError('conflict', `the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
    const sha = sha256Hex(input.dockerfile);
    return this.withLock(() => {
      const old = this.load(sha);
      const time = this.now().toISOString();
      const step: Transition = {
        action: 'request',
        from: old?.state ?? null,
        to: 'pending',
        by: { user: input.requester.user, uid: input.requester.uid },
        time,
        repository: input.repository,
        ...(input.note !== undefined && input.note !== '' ? { note: input.note } : {}),
      };
      if (old) {
        const id = this.shortId(old);
        if (old.state === 'revoked')
          throw new ApprovalError(
            'conflict',
            `approval ${id} for this Dockerfile was revoked (${lastReason(old)}): a revocation is final for these bytes; change the Dockerfile and request a new approval`,
          );
        if (old.state === 'pending' || old.state === 'approved') {
          if (old.repository === input.repository) return { approval: old, created: false };
          throw new ApprovalError(
            'conflict',
            `this Dockerfile already has approval ${id} (${old.state}) for ${old.repository}; one Dockerfile is approved for one repository. To publish it to ${input.repository} as well, make it a different file (a comment line such as "# publishes to ${input.repository}" will do) and request that`,
          );
        }
      }
      const approval: Approval = {
        v: 1,
        id: sha.slice(0, ID_LENGTH),
        sha256: sha,
        dockerfile: input.dockerfile.toString('base64'),
        repository: input.repository,
        requester: step.by,
        time,
        ...(step.note !== undefined ? { note: step.note } : {}),
        findings: input.findings.map((f) => ({ ...f })),
        state: 'pending',
        history: [...(old?.history ?? []), step],
      };
      this.writeAtomic(this.docPath(sha), approval);
      return { approval, created: true };
    });
  }

  /**
   * approve (pending → approved; not by anyone who requested these bytes), reject (pending →
   * rejected, reason required), revoke (approved → revoked, reason required). Whether `by` may
   * review at all is the broker's decision (policy reviewers). Throws ApprovalError, StoreError.
   */
  transition(idOrPrefix: string, action: 'approve' | 'reject' | 'revoke', by: Person, text?: string): Approval {
    return this.withLock(() => {
      const a = this.get(idOrPrefix);
      const id = this.shortId(a);
      const from: Record<typeof action, ApprovalState> = { approve: 'pending', reject: 'pending', revoke: 'approved' };
      const to: Record<typeof action, ApprovalState> = { approve: 'approved', reject: 'rejected', revoke: 'revoked' };
      if (a.state !== from[action])
        throw new ApprovalError(
          'transition',
          `approval ${id} is ${a.state}: only ${from[action] === 'pending' ? 'a pending request' : 'an approved Dockerfile'} can be ${to[action]}${a.state === to[action] ? ' (it already is)' : ''}`,
        );
      if (action === 'approve' && a.history.some((t) => t.action === 'request' && t.by.uid === by.uid))
        throw new ApprovalError(
          'self-approval',
          `approval ${id}: ${by.user} requested it and cannot approve it; nobody approves their own request — another reviewer must`,
        );
      if ((action === 'reject' || action === 'revoke') && (text === undefined || text.trim() === ''))
        throw new ApprovalError('transition', `approval ${id}: a reason is required to ${action}`);
      const step: Transition = {
        action,
        from: a.state,
        to: to[action],
        by: { user: by.user, uid: by.uid },
        time: this.now().toISOString(),
        ...(text !== undefined && text !== '' ? (action === 'approve' ? { note: text } : { reason: text }) : {}),
      };
      const next: Approval = { ...a, state: step.to, history: [...a.history, step] };
      this.writeAtomic(this.docPath(a.sha256), next);
      return next;
    });
  }

  // ------------------------------------------------------------ provenance

  private provenancePath(hex: string): string {
    return path.join(this.root, 'images', `${hex}.json`);
  }

  /** Records that `imageId` was built from an approval (appends to the image's record). Throws StoreError. */
  recordBuild(b: BuildRecord): Provenance {
    const hex = imageIdHex(b.imageId);
    if (!SHA.test(b.sha256)) throw new ApprovalError('not-found', `recordBuild: sha256 must be 64 hex digits`);
    return this.withLock(() => {
      const file = this.provenancePath(hex);
      const v = this.readJson(file);
      const old = v === undefined ? undefined : checkProvenance(v, hex, file);
      const build = {
        builder: { user: b.builder.user, uid: b.builder.uid },
        approvalId: b.approvalId,
        sha256: b.sha256,
        tags: [...b.tags],
        time: b.time ?? this.now().toISOString(),
      };
      const rec: Provenance = {
        v: 1,
        imageId: `sha256:${hex}`,
        builds: [...(old?.builds ?? []), build].slice(-MAX_BUILDS),
      };
      this.writeAtomic(file, old ? { ...old, ...rec } : rec); // keeps fields it does not know (pushes)
      return rec;
    });
  }

  /** What the store knows of how `imageId` was built, or undefined (pulled, or built elsewhere). */
  provenanceOf(imageId: string): Provenance | undefined {
    let hex: string;
    try {
      hex = imageIdHex(imageId);
    } catch {
      return undefined;
    }
    if (!fs.existsSync(this.root)) return undefined;
    this.check();
    const file = this.provenancePath(hex);
    const v = this.readJson(file);
    return v === undefined ? undefined : checkProvenance(v, hex, file);
  }

  // ------------------------------------------------------------ pushes (publishing)

  /**
   * Records a push (see PushRecord) in the image's provenance and in the approval's document,
   * under the lock. The image must have provenance and the approval must exist. Throws StoreError.
   */
  recordPush(p: PushRecord): void {
    const hex = imageIdHex(p.imageId);
    if (!DIGEST.test(p.digest))
      throw new StoreError(`recordPush: not a digest: ${JSON.stringify(p.digest.slice(0, 80))}`);
    if (!SHA.test(p.sha256)) throw new StoreError('recordPush: sha256 must be 64 hex digits');
    this.withLock(() => {
      const time = p.time ?? this.now().toISOString();
      const entry = {
        imageId: `sha256:${hex}`,
        name: p.name,
        digest: p.digest,
        by: { user: p.by.user, uid: p.by.uid },
        approvalId: p.approvalId,
        time,
      };
      const file = this.provenancePath(hex);
      const v = this.readJson(file);
      if (v === undefined) throw new StoreError(`recordPush: no provenance for ${p.imageId}`);
      const prov = checkProvenance(v, hex, file);
      this.writeAtomic(file, { ...prov, pushes: [...pushesOf(prov), entry].slice(-MAX_PUSHES) });
      const a = this.load(p.sha256);
      if (a === undefined) throw new StoreError(`recordPush: no approval ${p.sha256.slice(0, ID_LENGTH)}`);
      this.writeAtomic(this.docPath(p.sha256), { ...a, pushes: [...pushesOf(a), entry].slice(-MAX_PUSHES) });
    });
  }
}

// ---------------------------------------------------------------- pushes (publishing, issue 10)
// A push is recorded in two places: the image's provenance (`pushes` beside `builds`) and the
// approval's document (`pushes`, its publishing history beside the review `history`). Both are
// extra fields: readers that do not know them keep them as they are (transitions copy the document).

export interface PushRecord {
  /** `sha256:<64 hex>`: the local image that was pushed. */
  readonly imageId: string;
  /** `host[:port]/path:tag` as pushed. */
  readonly name: string;
  /** `sha256:<64 hex>`: the manifest digest the registry reported. */
  readonly digest: string;
  readonly by: Person;
  /** The approval's 12-digit id the push was allowed by. */
  readonly approvalId: string;
  /** The approval's whole sha256. */
  readonly sha256: string;
  /** ISO 8601; default now. */
  readonly time?: string;
}

const MAX_PUSHES = 500;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The pushes recorded on a provenance or approval document (extra field; [] when none or malformed). */
export function pushesOf(doc: unknown): Required<Omit<PushRecord, 'sha256'>>[] {
  const v = isObj(doc) ? doc.pushes : undefined;
  if (!Array.isArray(v)) return [];
  return v.filter(
    (p): p is Required<Omit<PushRecord, 'sha256'>> =>
      isObj(p) &&
      typeof p.imageId === 'string' &&
      typeof p.name === 'string' &&
      typeof p.digest === 'string' &&
      DIGEST.test(p.digest) &&
      validPerson(p.by) &&
      typeof p.approvalId === 'string' &&
      typeof p.time === 'string',
  );
}

function lastReason(a: Approval): string {
  const t = [...a.history].reverse().find((h) => h.reason !== undefined);
  return t ? `by ${t.by.user}: ${t.reason}` : 'no reason recorded';
}

/** The store at `root` (tests) or the real one; the real one also checks its parent directory. */
export function openStore(options: Partial<StoreOptions> & { root: string }): ApprovalStore {
  return new ApprovalStore(options);
}
