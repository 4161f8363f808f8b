// The audit trail: one JSON line per decision, appended by the broker with a single write(2) on
// an O_APPEND descriptor, so concurrent brokers never tear or interleave a line. Secrets never
// reach it: environment values, registry passwords and secret-looking build args are redacted.
import fs from 'node:fs';
import path from 'node:path';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';

export type Verdict = 'allowed' | 'refused' | 'usage' | 'bad-policy' | 'bad-request' | 'error';

export interface AuditRecord {
  readonly time: string;
  readonly uid: number;
  readonly user: string;
  readonly cwd: string;
  readonly kind: 'docker' | 'audit';
  /** The argv as the developer gave it, redacted. */
  readonly argv: readonly string[];
  readonly verdict: Verdict;
  /** Ids of the rules that refused it (empty when allowed). */
  readonly rules: readonly string[];
  /** The docker argv that ran (after the program name), redacted; empty when nothing ran. */
  readonly finalArgv: readonly string[];
  /** The exit code the caller got. */
  readonly exit: number;
  readonly durationMs: number;
  readonly ciJob?: string;
  /** For run: the container it created (also when it was removed again). */
  readonly container?: string;
  /** Why, in words, when the verdict is not "allowed" and no rule says it. */
  readonly note?: string;
}

export const REDACTED = '***';

const SECRET_KEY = /pass|secret|token|key|cred|auth|private|cert/i;

interface Redaction {
  readonly find: string;
  readonly replace: string;
}

/** What must not be written down from this command: its secret values, as found in any token. */
export function secretsOf(cmd: ParsedCommand): Redaction[] {
  const out: Redaction[] = [];
  const kv = (v: string, always: boolean): void => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) return;
    if (always || SECRET_KEY.test(v.slice(0, eq))) out.push({ find: v, replace: `${v.slice(0, eq)}=${REDACTED}` });
  };
  for (const v of cmd.flags.env ?? []) kv(v, true);
  for (const v of cmd.flags['build-arg'] ?? []) kv(v, false);
  const password = lastValue(cmd.flags, 'password');
  if (password !== undefined && password !== '') out.push({ find: password, replace: REDACTED });
  // Longest first, so a secret containing another is replaced whole.
  return out.sort((a, b) => b.find.length - a.find.length);
}

export function redactArgv(argv: readonly string[], secrets: readonly Redaction[]): string[] {
  return argv.map((token) => secrets.reduce((t, s) => (t.includes(s.find) ? t.split(s.find).join(s.replace) : t), token));
}

const SECRET_FLAGS = new Set(['-e', '--env', '-p', '--password', '--build-arg']);

/** For an argv that did not parse: every value after '=' and after a secret-bearing flag goes. */
export function redactUnparsed(argv: readonly string[]): string[] {
  return argv.map((t, i) => {
    if (i > 0 && SECRET_FLAGS.has(argv[i - 1])) return REDACTED;
    const eq = t.indexOf('=');
    return eq >= 0 ? `${t.slice(0, eq + 1)}${REDACTED}` : t;
  });
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

/** The records of the log text that pass the filter, as they were written (lines that don't parse are kept out). */
export function filterLog(text: string, filter: AuditFilter): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let r: AuditRecord;
    try {
      r = JSON.parse(line) as AuditRecord;
    } catch {
      continue;
    }
    if (filter.user !== undefined && r.user !== filter.user) continue;
    if (filter.since !== undefined && !(Date.parse(r.time) >= filter.since.getTime())) continue;
    out.push(r);
  }
  return out;
}

/** True when the command asks docker for a password on its command line (`login -p`). */
export function hasInlinePassword(cmd: ParsedCommand): boolean {
  return cmd.command === 'login' && (lastValue(cmd.flags, 'password') ?? '') !== '' && !isSet(cmd.flags, 'password-stdin');
}
