// The audit trail: two JSON lines per request, each appended by the broker with a single
// write(2) on an O_APPEND descriptor, so concurrent brokers never tear or interleave a line:
// the decision, written before the broker acts (so a killed broker still leaves it), and the
// outcome, written when it ends. Both carry the request's `id`. Secrets never reach it: the argv
// is redacted by reading it as docker does (src/docker/parse.ts), never by searching for text.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isSet, lastValue, type ParsedCommand, type UsageError } from '../docker/model.js';
import { type FlagOccurrence, isBoolText, scanDockerArgv } from '../docker/parse.js';
import type { BrokerRequest } from './request.js';

export type Verdict = 'allowed' | 'refused' | 'usage' | 'bad-policy' | 'bad-request' | 'error';
export type Phase = 'decision' | 'outcome';

/** What the caller says about itself and the broker cannot check: recorded as said, never as fact. */
export interface Claims {
  /** The working directory the front end reported. */
  readonly cwd?: string;
  /** The CI job id the front end read from BUILD_TAG / CI_JOB_ID. */
  readonly ciJob?: string;
}

export interface AuditRecord {
  /** When the broker started on the request (the same in both lines, so `--since` keeps pairs whole). */
  readonly time: string;
  /** Pairs the decision and the outcome of one request. */
  readonly id: string;
  readonly phase: Phase;
  /** From sudo (SUDO_UID/SUDO_USER): facts. */
  readonly uid: number;
  readonly user: string;
  /** The request's kind (request.ts). */
  readonly kind: BrokerRequest['kind'];
  readonly claims: Claims;
  /** The argv as the developer gave it, redacted. */
  readonly argv: readonly string[];
  /** decision: what the rules said; outcome: how it ended (a check after start can still refuse). */
  readonly verdict: Verdict;
  /** Ids of the rules that refused it (empty when allowed). */
  readonly rules: readonly string[];
  /** outcome: the docker argv that ran (after the program name), redacted; empty when nothing ran. */
  readonly finalArgv?: readonly string[];
  /** outcome: the exit code the caller got. */
  readonly exit?: number;
  /** outcome: from the broker's start. */
  readonly durationMs?: number;
  /** For run: the container it created (also when it was removed again). */
  readonly container?: string;
  /** For approval requests: the approval id acted on. */
  readonly approval?: string;
  /** Why, in words, when the verdict is not "allowed" and no rule says it. Never a user's value. */
  readonly note?: string;
}

export const REDACTED = '***';

/** Names whose values are secrets: env and build-arg names, `NAME=value` words in a container's command. */
const SECRET_NAME = /pass|secret|token|key|cred|auth|private|cert|pwd/i;

/** `NAME=value` (or `--name=value`) at the start of a word; the value runs to a blank, quote or shell operator. */
const ASSIGNMENT = /(^|[\s;&|('"`])(-{0,2}[A-Za-z_][\w.-]*)=([^\s;&|)'"`]+)/g;

/** Flags (by canonical long name) whose whole value is a secret. */
const SECRET_VALUE_FLAGS = new Set(['password', 'secret']);

/** The argv with its secrets replaced, and the exact texts taken out (to keep them out of notes). */
export interface Redacted {
  readonly argv: string[];
  readonly removed: string[];
}

/**
 * Redacts a docker argv by reading it as docker does (the parser's own scan): the values of
 * `-p/--password`, `--secret`, every `-e/--env` value (`NAME=***`), `--build-arg` values with
 * secret-looking names, a value given to a bool flag where docker expects none (any value of
 * `--password-stdin=…`), and `NAME=value` words with secret-looking names among the positionals
 * (also inside one, as in `sh -c 'export TOKEN=x; …'`).
 * Exactly those values are replaced; nothing is searched for as text elsewhere.
 * Where the reading is unsure — an argv docker would refuse — it redacts more: the value that
 * may belong to an unknown flag, and from there on every `=value`, every word after a flag spelled
 * like a secret-bearing one, and every word after an unknown command but bare flag names.
 */
export function redact(argv: readonly string[]): Redacted {
  const scan = scanDockerArgv(argv);
  const out = [...argv];
  const removed: string[] = [];
  const cut = (token: number, start: number): void => {
    if (token >= argv.length || start >= argv[token].length) return;
    removed.push(argv[token].slice(start));
    out[token] = `${argv[token].slice(0, start)}${REDACTED}`;
  };
  const flagTokens = new Set<number>();
  const positionals = new Set([...scan.args, ...scan.unread]);
  /** Tokens from here on are read without certainty. */
  let unsureFrom = Infinity;
  const kv = (o: FlagOccurrence, secret: (name: string) => boolean): void => {
    if (o.value === null) return;
    const eq = o.raw.indexOf('=');
    if (eq >= 0 && secret(o.raw.slice(0, eq))) cut(o.value.token, o.value.start + eq + 1);
  };
  for (const o of scan.occurrences) {
    flagTokens.add(o.token);
    if (o.value !== null) flagTokens.add(o.value.token);
    if (o.flag === undefined) {
      // An unknown flag (a mistyped --pasword?): its value, attached or next, goes.
      unsureFrom = Math.min(unsureFrom, o.token);
      if (o.value !== null) cut(o.value.token, o.value.start);
      else if (positionals.has(o.token + 1)) cut(o.token + 1, 0);
      continue;
    }
    if (o.value === null) continue;
    const name = o.flag.aliasOf ?? o.flag.long;
    if (name === 'env') kv(o, () => true);
    else if (name === 'build-arg') kv(o, (n) => n === '' || SECRET_NAME.test(n));
    else if (SECRET_VALUE_FLAGS.has(name)) cut(o.value.token, o.value.start);
    else if (o.flag.type === 'bool' && (name === 'password-stdin' || !isBoolText(o.raw)))
      cut(o.value.token, o.value.start);
  }
  if (scan.command === null && scan.unread.length > 0) unsureFrom = Math.min(unsureFrom, scan.unread[0]);
  for (let i = 0; i < argv.length; i++) {
    if (out[i] !== argv[i] || flagTokens.has(i) || scan.words.includes(i)) continue;
    const t = argv[i];
    if (i < unsureFrom) {
      // A positional (a container's command, `sh -c '…'` included): every secret-looking assignment
      // in it (`DB_PASSWORD=x`, `--token=x`, `export API_KEY=x`) keeps its name only.
      const text = t.replace(ASSIGNMENT, (all, lead: string, name: string, value: string) => {
        if (!SECRET_NAME.test(name)) return all;
        removed.push(value);
        return `${lead}${name}=${REDACTED}`;
      });
      if (text !== t) out[i] = text;
      continue;
    }
    if (scan.command === null && !/^(?:--[A-Za-z][\w-]*|-[A-Za-z])$/.test(t)) {
      cut(i, 0);
      continue;
    }
    if (/^(?:-e|--env|-p|--password|--build-arg|--secret)$/.test(argv[i - 1] ?? '') && out[i - 1] === argv[i - 1])
      cut(i, 0);
    else if (/^-[ep]./s.test(t)) cut(i, 2);
    else if (t.includes('=')) cut(i, t.indexOf('=') + 1);
  }
  return { argv: out, removed };
}

/** The argv, redacted (see `redact`). */
export function redactArgv(argv: readonly string[]): string[] {
  return redact(argv).argv;
}

const SHORT_SECRET = 4;

/**
 * A note fit for the audit: withheld when it quotes anything the redaction took out of the argv.
 * Notes are meant to be the broker's own words; this is the net under that rule.
 */
export function safeNote(note: string | undefined, redacted: readonly Redacted[]): string | undefined {
  if (note === undefined) return undefined;
  // A short secret (`-p e`) withholds every note: whether a note was withheld must say nothing of its letters.
  for (const r of redacted)
    for (const v of r.removed)
      if (v !== '' && (v.length < SHORT_SECRET || note.includes(v)))
        return 'details withheld: the message may quote a redacted value';
  return note;
}

/**
 * What kind of usage error, in the broker's words: docker's message quotes the user's tokens
 * (`unknown shorthand flag: 'h' in -hunter2`), so only its shape and registered names are kept.
 */
export function usageNote(e: UsageError): string {
  const m = e.message;
  const invalid = /^invalid argument .* for "([-\w, ]+)" flag: /s.exec(m);
  if (invalid) return `invalid value for ${invalid[1]}`;
  for (const kind of [
    'unknown flag',
    'unknown shorthand flag',
    'bad flag syntax',
    'flag needs an argument',
    'conflicting options',
  ])
    if (m.startsWith(`${kind}:`)) return kind;
  // "docker: unknown command: docker image hunter2" quotes the typed word: only its group is kept.
  const unknownSub = /^docker: unknown command: docker ([a-z]+) /.exec(m);
  if (unknownSub) return `unknown command under ${unknownSub[1]}`;
  // cobra's argument count: "docker: 'docker run' requires at least 1 argument" names the command only.
  if (/^docker: '[a-z ]+' (?:requires|accepts) [\w ]+$/.test(m)) return m;
  return 'usage error';
}

/** A fresh request id: 16 hex digits. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** One line of the audit log, newline included. */
export function formatRecord(r: AuditRecord): string {
  return `${JSON.stringify(r)}\n`;
}

/** Opens the audit log for appending, creating it (0640) and its directory (0750) as needed. */
export function openAuditLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  const fd = fs.openSync(
    file,
    fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW,
    0o640,
  );
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new Error(`${file}: not a regular file`);
  }
  if (process.getuid?.() === 0 && (st.uid !== 0 || (st.mode & 0o137) !== 0)) {
    fs.fchownSync(fd, 0, st.gid);
    fs.fchmodSync(fd, 0o640);
  }
  return fd;
}

/** Appends one record with a single write(2); a short write is an error, never a second write. */
export function appendRecord(fd: number, r: AuditRecord): void {
  const buf = Buffer.from(formatRecord(r));
  const n = fs.writeSync(fd, buf, 0, buf.length);
  if (n !== buf.length) throw new Error(`audit log: short write (${n} of ${buf.length} bytes)`);
}

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `--since`: a duration back from now (90s, 30m, 2h, 7d, 1w) or an ISO 8601 date/time. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const m = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNITS[m[2]]);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new Error(`--since: "${text}" is neither a duration (30m, 2h, 7d) nor an ISO date (2024-05-01T12:00:00Z)`);
}

export interface AuditFilter {
  readonly user?: string;
  readonly since?: Date;
}

/** One line of the log as a record that passes the filter, or null (lines that don't parse are kept out). */
function passing(line: string, filter: AuditFilter): AuditRecord | null {
  if (line === '') return null;
  let r: AuditRecord;
  try {
    r = JSON.parse(line) as AuditRecord;
  } catch {
    return null;
  }
  if (r === null || typeof r !== 'object') return null;
  if (filter.user !== undefined && r.user !== filter.user) return null;
  if (filter.since !== undefined && !(Date.parse(r.time) >= filter.since.getTime())) return null;
  return r;
}

/** The records of the log text that pass the filter, as they were written (lines that don't parse are kept out). */
export function filterLog(text: string, filter: AuditFilter): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    const r = passing(line, filter);
    if (r !== null) out.push(r);
  }
  return out;
}

/**
 * Longest audit line read: far above any line the broker writes (a request is at most 128 KiB;
 * argv and final argv, JSON-escaped, stay under 2 MiB). A longer one is skipped and counted.
 */
export const MAX_AUDIT_LINE_BYTES = 4 * 1024 * 1024;

export interface StreamStats {
  /** Records written out. */
  kept: number;
  /** Lines longer than the bound, skipped unread. */
  tooLong: number;
}

/** Output gathered into writes of about this size (one write per record would cost a syscall each). */
const OUT_BATCH = 64 * 1024;

/**
 * filterLog over a stream: the log is read chunk by chunk (it grows with every developer's
 * requests, and root must not hold it in memory), at most one line of `maxLine` bytes is held,
 * and each passing record goes to `write` as filterLog's record plus a newline. `write` returns
 * (or resolves to) false when the reader has gone: reading stops there.
 */
export async function filterLogStream(
  input: AsyncIterable<Buffer>,
  filter: AuditFilter,
  write: (text: string) => boolean | Promise<boolean>,
  maxLine: number = MAX_AUDIT_LINE_BYTES,
): Promise<StreamStats> {
  const stats: StreamStats = { kept: 0, tooLong: 0 };
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  let out = '';
  const line = (): void => {
    if (!skipping) {
      const r = passing(Buffer.concat(parts, held).toString('utf8'), filter);
      if (r !== null) {
        out += `${JSON.stringify(r)}\n`;
        stats.kept++;
      }
    }
    parts = [];
    held = 0;
    skipping = false;
  };
  const hold = (b: Buffer): void => {
    if (skipping || b.length === 0) return;
    if (held + b.length > maxLine) {
      // Over the bound: dropped now, the rest of it skipped up to its newline.
      skipping = true;
      stats.tooLong++;
      parts = [];
      held = 0;
      return;
    }
    parts.push(b);
    held += b.length;
  };
  for await (const chunk of input) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      hold(chunk.subarray(from, nl));
      line();
      from = nl + 1;
    }
    // Copied: a chunk's view would pin the whole chunk while part of a line waits.
    if (from < chunk.length) hold(Buffer.from(chunk.subarray(from)));
    if (out.length >= OUT_BATCH) {
      const more = await write(out);
      out = '';
      if (!more) return stats;
    }
  }
  if (held > 0 || skipping) line();
  if (out !== '') await write(out);
  return stats;
}

/**
 * A writer for filterLogStream onto `stream` that waits for 'drain' when the stream's buffer is
 * full (back-pressure: a slow reader slows the reading, never fills root's memory), and answers
 * false once the stream failed or closed (the caller went away).
 */
export function drainingWriter(stream: NodeJS.WritableStream): (text: string) => boolean | Promise<boolean> {
  let gone = false;
  const mark = (): void => {
    gone = true;
  };
  stream.on('error', mark);
  stream.on('close', mark);
  return (text) => {
    if (gone) return false;
    if (stream.write(text)) return true;
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve(!gone);
      };
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', done);
    });
  };
}

/** True when the command asks docker for a password on its command line (`login -p`). */
export function hasInlinePassword(cmd: ParsedCommand): boolean {
  return (
    cmd.command === 'login' && (lastValue(cmd.flags, 'password') ?? '') !== '' && !isSet(cmd.flags, 'password-stdin')
  );
}

/** What the decision line says. */
export interface Decision {
  readonly kind: AuditRecord['kind'];
  readonly claims: Claims;
  /** Already redacted. */
  readonly argv: readonly string[];
  readonly verdict: Verdict;
  readonly rules?: readonly string[];
  readonly note?: string;
}

/** What the outcome line adds. */
export interface Ending {
  readonly exit: number;
  /** When it differs from the decision's (a check after start refused, an internal error). */
  readonly verdict?: Verdict;
  readonly rules?: readonly string[];
  /** Already redacted. */
  readonly finalArgv?: readonly string[];
  readonly container?: string;
  readonly approval?: string;
  readonly note?: string;
}

/**
 * One request's two lines. `decide` is written before the broker acts; `end` when it ends (it
 * writes the decision first when none was written, so every outcome has its decision).
 */
export class AuditTrail {
  readonly id = newRequestId();
  private decision: Decision | null = null;
  private ended = false;

  constructor(
    private readonly fd: number,
    private readonly who: { readonly uid: number; readonly user: string },
    private readonly started: number = Date.now(),
  ) {}

  get decided(): boolean {
    return this.decision !== null;
  }

  decide(d: Decision): void {
    if (this.decision !== null) throw new Error('audit: a request has one decision');
    this.decision = d;
    appendRecord(this.fd, this.line('decision', d));
  }

  end(e: Ending, fallback: Decision): void {
    if (this.ended) return;
    if (this.decision === null) this.decide(fallback);
    const d = this.decision as Decision;
    this.ended = true;
    appendRecord(this.fd, {
      ...this.line('outcome', {
        ...d,
        ...(e.verdict ? { verdict: e.verdict } : {}),
        ...(e.rules ? { rules: e.rules } : {}),
        note: e.note ?? d.note,
      }),
      finalArgv: e.finalArgv ?? [],
      exit: e.exit,
      durationMs: Date.now() - this.started,
      ...(e.container ? { container: e.container } : {}),
      ...(e.approval ? { approval: e.approval } : {}),
    });
  }

  private line(phase: Phase, d: Decision): AuditRecord {
    return {
      time: new Date(this.started).toISOString(),
      id: this.id,
      phase,
      uid: this.who.uid,
      user: this.who.user,
      kind: d.kind,
      claims: d.claims,
      argv: d.argv,
      verdict: d.verdict,
      rules: d.rules ?? [],
      ...(d.note ? { note: d.note } : {}),
    };
  }
}
