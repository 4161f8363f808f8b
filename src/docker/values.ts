// Value checks the docker 28.2.2 CLI makes, with docker's own error text:
//  - while parsing a flag (pflag's Value.Set of each Go type: strconv, time.ParseDuration,
//    go-units, opts.ListOpts validators, MountOpt, NetworkOpt, GpuOpts, UlimitOpt…): checkFlagValue;
//  - after parsing but before contacting the engine's create endpoint (cli/command/container
//    opts.go parse(), validatePullOpt, the --platform parse): validateCommand.
// The number parsers are exported for the rules, which must compare numbers the way docker reads
// them (`0x10`, `1_0`, `1e3`, `512m`).
import { isIP } from 'node:net';
import type { FlagSpec, FlagValues, ParsedCommand } from './model.js';
import { lastValue, UsageError } from './model.js';
import { parseImageReference } from './reference.js';

/** A value docker rejects; the message is docker's (Go's) error text. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

// ---------------------------------------------------------------------------------------------
// Go string quoting

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function goQuoteRune(cp: number, quote: '"' | "'"): string {
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    case 0x5c:
      return '\\\\';
  }
  const ch = String.fromCodePoint(cp);
  if (ch === quote) return `\\${quote}`;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (PRINTABLE.test(ch)) return ch;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Go's strconv.Quote (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    // Lone surrogates cannot come from UTF-8 argv; print them as Go prints U+FFFD.
    out += cp >= 0xd800 && cp <= 0xdfff ? '\\ufffd' : goQuoteRune(cp, '"');
  }
  return `${out}"`;
}

/** Go's `%q` of a single byte (pflag quotes the shorthand byte of a flag this way). */
export function goQuoteByte(b: number): string {
  return `'${goQuoteRune(b, "'")}'`;
}

/** The time package's own quote (non-ASCII and control bytes as \xNN). */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------
// strconv: integers

function lower(c: string): string {
  return c.toLowerCase();
}

/** strconv's underscoreOK: '_' only between digits, or between a base prefix and a digit. */
function underscoreOK(str: string): boolean {
  let s = str;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(lower(s[1]))) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

function numError(fn: string, s: string, what: 'invalid syntax' | 'value out of range'): ValueError {
  return new ValueError(`strconv.${fn}: parsing ${goQuote(s)}: ${what}`);
}

/**
 * Go's strconv.ParseUint(s, base, bitSize). Base 0 reads `0x`/`0o`/`0b`/leading-`0` prefixes and
 * allows `_` separators, as pflag's uint16/uint64 flags do. Throws ValueError with Go's text.
 */
export function parseGoUint(s: string, base = 0, bitSize = 64, fn = 'ParseUint'): bigint {
  if (s === '') throw numError(fn, s, 'invalid syntax');
  const base0 = base === 0;
  const s0 = s;
  let digits = s;
  let b = base;
  if (base0) {
    b = 10;
    if (s[0] === '0') {
      if (s.length >= 3 && lower(s[1]) === 'b') [b, digits] = [2, s.slice(2)];
      else if (s.length >= 3 && lower(s[1]) === 'o') [b, digits] = [8, s.slice(2)];
      else if (s.length >= 3 && lower(s[1]) === 'x') [b, digits] = [16, s.slice(2)];
      else [b, digits] = [8, s.slice(1)];
    }
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  const bigBase = BigInt(b);
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    let d: number;
    if (c === '_' && base0) {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (lower(c) >= 'a' && lower(c) <= 'z' && lower(c).length === 1) d = lower(c).charCodeAt(0) - 87;
    else throw numError(fn, s0, 'invalid syntax');
    if (d >= b) throw numError(fn, s0, 'invalid syntax');
    n = n * bigBase + BigInt(d);
    if (n > max) throw numError(fn, s0, 'value out of range');
  }
  if (underscores && !underscoreOK(s0)) throw numError(fn, s0, 'invalid syntax');
  return n;
}

/**
 * Go's strconv.ParseInt(s, base, bitSize): how docker reads every int/int64 flag (base 0:
 * `0x10`, `0o20`, `020`, `0b10000`, `1_6` and `+16` are all 16). Throws ValueError with Go's text.
 */
export function parseGoInt(s: string, base = 0, bitSize = 64): bigint {
  if (s === '') throw numError('ParseInt', s, 'invalid syntax');
  let rest = s;
  let neg = false;
  if (s[0] === '+') rest = s.slice(1);
  else if (s[0] === '-') [neg, rest] = [true, s.slice(1)];
  let un: bigint;
  try {
    un = parseGoUint(rest, base, bitSize, 'ParseInt');
  } catch (e) {
    if (e instanceof ValueError && e.message.endsWith('value out of range'))
      throw numError('ParseInt', s, 'value out of range');
    if (e instanceof ValueError) throw numError('ParseInt', s, 'invalid syntax');
    throw e;
  }
  const cutoff = 1n << BigInt(bitSize - 1);
  if (!neg && un >= cutoff) throw numError('ParseInt', s, 'value out of range');
  if (neg && un > cutoff) throw numError('ParseInt', s, 'value out of range');
  return neg ? -un : un;
}

/** Go's strconv.Atoi (base 10, no prefixes, no underscores). */
export function goAtoi(s: string): bigint {
  try {
    return parseGoInt(s, 10, 64);
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(e.message.replace('strconv.ParseInt', 'strconv.Atoi'));
    throw e;
  }
}

/** Go's strconv.ParseFloat(s, 64) syntax (decimal and hex forms, inf, nan, `_` separators). */
export function parseGoFloat(s: string): number {
  const err = () => new ValueError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
  let t = s;
  let sign = 1;
  if (t[0] === '+' || t[0] === '-') {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  const special = t.toLowerCase();
  if (special === 'inf' || special === 'infinity') return sign * Infinity;
  if (special === 'nan' && s === t) return NaN;
  if (/^0x/i.test(t)) {
    const m = /^0x([0-9a-f_]*)(?:\.([0-9a-f_]*))?p([+-]?[0-9_]+)$/i.exec(t);
    if (!m || (m[1].replace(/_/g, '') === '' && (m[2] ?? '').replace(/_/g, '') === '')) throw err();
    if (t.includes('_') && !underscoreOK(t.slice(0, t.toLowerCase().indexOf('p')))) throw err();
    const mant = parseInt((m[1] + (m[2] ?? '')).replace(/_/g, '') || '0', 16);
    const exp = parseInt(m[3].replace(/_/g, ''), 10) - 4 * (m[2] ?? '').replace(/_/g, '').length;
    return sign * mant * 2 ** exp;
  }
  const m = /^([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9_]+))?$/.exec(t);
  if (!m || (m[1].replace(/_/g, '') === '' && (m[2] ?? '').replace(/_/g, '') === '')) throw err();
  if (t.includes('_')) {
    // Go: underscores only between digits, and only when the number has a base prefix or is
    // decimal per underscoreOK; exponent digits are checked the same way.
    if (!underscoreOK(t) || /_[.eE]|[.eE]_/.test(t)) throw err();
  }
  const v = Number(t.replace(/_/g, ''));
  if (Number.isNaN(v)) throw err();
  if (!Number.isFinite(v)) throw new ValueError(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
  return sign * v;
}

// ---------------------------------------------------------------------------------------------
// time.ParseDuration

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, in nanoseconds ('1h30m', '1.5s', '-2m'; a unit is required except for 0). */
export function parseDuration(orig: string): bigint {
  const invalid = () => new ValueError(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  const LIMIT = 1n << 63n;
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) throw invalid();
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    const pre = i > 0;
    const v0 = pre ? BigInt(s.slice(0, i)) : 0n;
    if (v0 > LIMIT) throw invalid();
    s = s.slice(i);
    let frac = '';
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
      frac = s.slice(0, j);
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k] >= '0' && s[k] <= '9')) k++;
    if (k === 0) throw new ValueError(`time: missing unit in duration ${timeQuote(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = DURATION_UNITS[u];
    if (unit === undefined) throw new ValueError(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`);
    if (v0 > LIMIT / unit) throw invalid();
    let v = v0 * unit;
    if (frac !== '') {
      // Go keeps at most ~19 fraction digits; float maths as in time.ParseDuration.
      const f = Number(`0.${frac.slice(0, 18)}`);
      v += BigInt(Math.floor(f * Number(unit)));
      if (v > LIMIT) throw invalid();
    }
    d += v;
    if (d > LIMIT) throw invalid();
  }
  if (neg) return -d;
  if (d > LIMIT - 1n) throw invalid();
  return d;
}

// ---------------------------------------------------------------------------------------------
// go-units sizes, NanoCPUs, ulimits

const INT64_MIN = -(1n << 63n);

/** Go's int64(float64) on amd64: out-of-range values become math.MinInt64. */
function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * go-units RAMInBytes, as opts.MemBytes (`-m`, `--memory-reservation`, `--shm-size`, …) reads it:
 * binary units, case-insensitive ('512m', '1.5G', '1gib', '10 kb', '1e3'), no negatives. A number too
 * large for int64 becomes math.MinInt64, exactly as docker's float conversion does on amd64.
 */
export function parseBytes(sizeStr: string): bigint {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--)
    if ('01234567890. '.includes(sizeStr[i])) {
      sep = i;
      break;
    }
  if (sep === -1) throw new ValueError(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] !== ' ' ? sizeStr.slice(0, sep + 1) : sizeStr.slice(0, sep);
  let sfx = sizeStr.slice(sep + 1);
  const size = parseGoFloat(num);
  if (size < 0) throw new ValueError(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return floatToInt64(size);
  const bad = () => new ValueError(`invalid suffix: '${sfx}'`);
  if (Buffer.byteLength(sfx) > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return floatToInt64(size);
  }
  const mul = BINARY_UNITS[sfx[0]];
  if (mul === undefined) throw bad();
  if (sfx.length === 2 && sfx[1] !== 'b') throw bad();
  if (sfx.length === 3 && sfx.slice(1) !== 'ib') throw bad();
  return floatToInt64(size * mul);
}

/** opts.MemSwapBytes (`--memory-swap`): like parseBytes, and exactly "-1" means unlimited (-1). */
export function parseMemSwapBytes(value: string): bigint {
  return value === '-1' ? -1n : parseBytes(value);
}

/** Go's big.Rat SetString for the forms docker users write: '1.5', '-2', '3/4', '1e-3', '0x10'. */
function parseRational(value: string): { num: bigint; den: bigint } | null {
  const slash = value.indexOf('/');
  if (slash >= 0) {
    let a: bigint;
    try {
      a = parseGoInt(value.slice(0, slash), 0, 4096);
    } catch {
      return null;
    }
    const bs = value.slice(slash + 1);
    if (
      !/^[0-9]+$/.test(bs) &&
      !/^0[xX][0-9a-fA-F]+$/.test(bs) &&
      !/^0[bB][01]+$/.test(bs) &&
      !/^0[oO][0-7]+$/.test(bs)
    )
      return null;
    const b = BigInt(bs.length > 1 && bs[0] === '0' && /[xXbBoO]/.test(bs[1]) ? bs : bs.replace(/^0+(?=\d)/, ''));
    if (b === 0n) return null;
    return { num: a, den: b };
  }
  const m = /^([+-]?)(?:0([xXbBoO])([0-9a-fA-F_]+)|([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9]+))?)$/.exec(value);
  if (!m) return null;
  const neg = m[1] === '-';
  if (m[2] !== undefined) {
    const prefix = m[2].toLowerCase();
    const digits = m[3];
    if (!underscoreOK(`0${prefix}${digits}`)) return null;
    const clean = digits.replace(/_/g, '');
    const radix = prefix === 'x' ? 16 : prefix === 'b' ? 2 : 8;
    if (![...clean].every((c) => parseInt(c, 16) < radix)) return null;
    const n = BigInt(`0${prefix}${clean}`);
    return { num: neg ? -n : n, den: 1n };
  }
  const intPart = m[4] ?? '';
  const fracPart = m[5] ?? '';
  if (intPart === '' && fracPart === '') return null;
  if ((intPart + fracPart).includes('_') && !underscoreOK(`${intPart}${fracPart ? `.${fracPart}` : ''}`)) return null;
  const exp = m[6] === undefined ? 0 : Number(m[6]);
  if (Math.abs(exp) > 10_000) return null;
  let num = BigInt((intPart + fracPart).replace(/_/g, '') || '0');
  let den = 10n ** BigInt(fracPart.replace(/_/g, '').length);
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  return { num: neg ? -num : num, den };
}

/** opts.ParseCPUs (`--cpus`): a rational number of CPUs, in nano-CPUs ('1.5' → 1500000000n). */
export function parseNanoCPUs(value: string): bigint {
  const r = parseRational(value);
  if (r === null) throw new ValueError(`failed to parse ${value} as a rational number`);
  const nano = r.num * 1_000_000_000n;
  if (nano % r.den !== 0n) throw new ValueError('value is too precise');
  return BigInt.asIntN(64, nano / r.den);
}

/** Ulimit names docker knows (go-units). */
export const ULIMIT_NAMES: ReadonlySet<string> = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

export interface Ulimit {
  readonly name: string;
  readonly soft: bigint;
  /** Equal to soft when not given. -1 is unlimited. */
  readonly hard: bigint;
}

/** go-units ParseUlimit (`--ulimit name=soft[:hard]`, base-10 numbers, -1 = unlimited). */
export function parseUlimit(val: string): Ulimit {
  const eq = val.indexOf('=');
  if (eq < 0) throw new ValueError(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new ValueError(`invalid ulimit type: ${name}`);
  const limits = val.slice(eq + 1).split(':');
  if (limits.length > 2)
    throw new ValueError(
      `too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  let hard: bigint | undefined;
  if (limits.length === 2) hard = parseGoInt(limits[1], 10, 64);
  const soft = parseGoInt(limits[0], 10, 64);
  hard ??= soft;
  if (hard !== -1n) {
    if (soft === -1n)
      throw new ValueError(
        `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`,
      );
    if (soft > hard)
      throw new ValueError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { name, soft, hard };
}

// ---------------------------------------------------------------------------------------------
// encoding/csv (one record), as docker reads --mount, --network name=…, --gpus and stringSlice.
// The one CSV reader: the rules read these values through it too (src/guards/csv.ts).

/**
 * Go's csv.NewReader(strings.NewReader(value)).Read() with docker's (default) settings — Comma
 * ',', no comment character, LazyQuotes and TrimLeadingSpace off: the first record (empty lines
 * skipped, `\r\n` read as `\n`, a quoted field may span lines), or ValueError with Go's text.
 */
export function readCsvRecord(value: string): string[] {
  const lines = value.split(/(?<=\n)/).map((l) => (l.endsWith('\r\n') ? `${l.slice(0, -2)}\n` : l));
  if (lines.length > 0 && lines[lines.length - 1].endsWith('\r')) {
    const last = lines[lines.length - 1];
    if (!last.endsWith('\n')) lines[lines.length - 1] = last.slice(0, -1);
  }
  let lineNo = 0;
  let line: string | undefined;
  // Skip empty lines.
  while (lineNo < lines.length) {
    const l = lines[lineNo++];
    if (l !== '\n' && l !== '') {
      line = l;
      break;
    }
  }
  if (line === undefined) throw new ValueError('EOF');
  const recLine = lineNo;
  let curLine = lineNo;
  let col = 1;
  const bytes = (s: string) => Buffer.byteLength(s);
  const fields: string[] = [];
  const perr = (l: number, c: number, msg: string) =>
    new ValueError(
      recLine !== l
        ? `record on line ${recLine}; parse error on line ${l}, column ${c}: ${msg}`
        : `parse error on line ${l}, column ${c}: ${msg}`,
    );
  const lengthNL = (s: string) => (s.endsWith('\n') ? 1 : 0);
  for (;;) {
    if (line.length === 0 || line[0] !== '"') {
      const i = line.indexOf(',');
      const field = i >= 0 ? line.slice(0, i) : line.slice(0, line.length - lengthNL(line));
      const j = field.indexOf('"');
      if (j >= 0) throw perr(curLine, col + bytes(field.slice(0, j)), 'bare " in non-quoted-field');
      fields.push(field);
      if (i >= 0) {
        col += bytes(line.slice(0, i)) + 1;
        line = line.slice(i + 1);
        continue;
      }
      return fields;
    }
    line = line.slice(1);
    col += 1;
    let buf = '';
    for (;;) {
      const i = line.indexOf('"');
      if (i >= 0) {
        buf += line.slice(0, i);
        col += bytes(line.slice(0, i)) + 1;
        line = line.slice(i + 1);
        if (line[0] === '"') {
          buf += '"';
          line = line.slice(1);
          col += 1;
        } else if (line[0] === ',') {
          line = line.slice(1);
          col += 1;
          fields.push(buf);
          break;
        } else if (lengthNL(line) === line.length) {
          fields.push(buf);
          return fields;
        } else {
          throw perr(curLine, col - 1, 'extraneous or missing " in quoted-field');
        }
      } else if (line.length > 0) {
        buf += line;
        col += bytes(line);
        if (lineNo < lines.length) {
          line = lines[lineNo++];
          curLine++;
          col = 1;
        } else line = '';
      } else {
        throw perr(curLine, col, 'extraneous or missing " in quoted-field');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// opts.* validators

/** net.ParseIP: dotted IPv4 (no leading zeros) or IPv6 without a zone. */
export function isGoIP(s: string): boolean {
  return isIP(s) !== 0 && !s.includes('%');
}

function validateIPAddress(val: string): void {
  if (!isGoIP(val.trim())) throw new ValueError(`IP address is not correctly formatted: ${val}`);
}

function validateEnv(val: string): void {
  const eq = val.indexOf('=');
  if ((eq < 0 ? val : val.slice(0, eq)) === '') throw new ValueError(`invalid environment variable: ${val}`);
}

function validateLabel(value: string): void {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new ValueError(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new ValueError(`label '${key}' contains whitespaces`);
}

function validateExtraHost(val: string): void {
  let cut = val.indexOf('=');
  if (cut < 0) cut = val.indexOf(':');
  const k = cut < 0 ? val : val.slice(0, cut);
  let v = cut < 0 ? '' : val.slice(cut + 1);
  if (cut < 0 || k === '' || k.includes(':')) throw new ValueError(`bad format for add-host: ${goQuote(val)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v[0] === '[' && v[v.length - 1] === ']') v = v.slice(1, -1);
    if (!isGoIP(v.trim())) throw new ValueError(`invalid IP address in add-host: ${goQuote(v)}`);
  }
}

const ALPHA = /[a-zA-Z]/;
const DOMAIN =
  /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

function validateDNSSearch(value: string): void {
  const val = value.replace(/^ +| +$/g, '');
  if (val === '.') return;
  const m = ALPHA.test(val) ? DOMAIN.exec(val) : null;
  if (!m || Buffer.byteLength(m[1]) >= 255) throw new ValueError(`${val} is not a valid domain`);
}

function validateLink(val: string): void {
  if (val === '') throw new ValueError('empty string specified for links');
  if (val.split(':').length > 2) throw new ValueError(`bad format for links: ${val}`);
}

const SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

function validateSysctl(val: string): void {
  const eq = val.indexOf('=');
  const k = eq < 0 ? '' : val.slice(0, eq);
  if (eq < 0 || k === '' || !(SYSCTLS.has(k) || k.startsWith('net.') || k.startsWith('fs.mqueue.')))
    throw new ValueError(`sysctl '${val}' is not allowed`);
}

function validateAttach(val: string): void {
  if (!['stdin', 'stdout', 'stderr'].includes(val.toLowerCase()))
    throw new ValueError('valid streams are STDIN, STDOUT and STDERR');
}

const DEVICE_CGROUP_RULE = /^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/;

function validateDeviceCgroupRule(val: string): void {
  if (!DEVICE_CGROUP_RULE.test(val)) throw new ValueError(`invalid device cgroup format '${val}'`);
}

function deviceAndValue(val: string): string {
  const c = val.indexOf(':');
  if (c <= 0) throw new ValueError(`bad format: ${val}`);
  if (!val.startsWith('/dev/')) throw new ValueError(`bad format for device path: ${val}`);
  return val.slice(c + 1);
}

function validateThrottleBps(val: string): void {
  const v = deviceAndValue(val);
  let rate: bigint;
  try {
    rate = parseBytes(v);
  } catch {
    rate = -1n;
  }
  if (rate < 0n)
    throw new ValueError(
      `invalid rate for device: ${val}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`,
    );
}

function validateThrottleIOps(val: string): void {
  const v = deviceAndValue(val);
  try {
    parseGoUint(v, 10, 64);
  } catch {
    throw new ValueError(
      `invalid rate for device: ${val}. The correct format is <device-path>:<number>. Number must be a positive integer`,
    );
  }
}

function validateWeightDevice(val: string): void {
  const v = deviceAndValue(val);
  let w: bigint;
  try {
    w = parseGoUint(v, 10, 16);
  } catch {
    throw new ValueError(`invalid weight for device: ${val}`);
  }
  if (w > 0n && (w < 10n || w > 1000n)) throw new ValueError(`invalid weight for device: ${val}`);
}

function validateFilter(value: string): void {
  if (value !== '' && !value.includes('=')) throw new ValueError('bad format of filter (expected name=value)');
}

function validateTag(value: string): void {
  try {
    parseImageReference(value);
  } catch (e) {
    throw new ValueError(e instanceof Error ? e.message : String(e));
  }
}

function parseBoolValue(v: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return null;
}

export interface MountField {
  /** Lower-cased, as docker reads it. */
  readonly key: string;
  /** Undefined for a field without `=` (`ro`, `volume-nocopy`). */
  readonly value?: string;
}

export interface MountSpec {
  readonly type: string;
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Every field as given, in order (for the rules' allowlists). */
  readonly fields: readonly MountField[];
}

/** opts.MountOpt.Set: docker's `--mount` CSV syntax (quotes, case-insensitive keys, last key wins). */
export function parseMount(value: string): MountSpec {
  const fields = readCsvRecord(value);
  let type = 'volume';
  let source: string | undefined;
  let target = '';
  let readOnly = false;
  let volumeOpts = false;
  let imageOpts = false;
  let bindOpts = false;
  let tmpfsOpts = false;
  let roNonRecursive = false;
  let roForce = false;
  let propagation = '';
  const given: MountField[] = [];
  const invalid = (key: string, val: string) => new ValueError(`invalid value for ${key}: ${val}`);
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    given.push(eq < 0 ? { key } : { key, value: val });
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') volumeOpts = true;
      else if (key === 'bind-nonrecursive') bindOpts = true;
      else throw new ValueError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro': {
        const b = parseBoolValue(val);
        if (b === null) throw invalid(key, val);
        readOnly = b;
        break;
      }
      case 'consistency':
        break;
      case 'bind-propagation':
        bindOpts = true;
        propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOpts = true;
        if (parseBoolValue(val) === null) throw invalid(key, val);
        break;
      case 'bind-recursive':
        if (val === 'enabled') break;
        bindOpts = true;
        if (val === 'writable') roNonRecursive = true;
        else if (val === 'readonly') roForce = true;
        else if (val !== 'disabled')
          throw new ValueError(
            `invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`,
          );
        break;
      case 'volume-subpath':
      case 'volume-label':
      case 'volume-driver':
      case 'volume-opt':
        volumeOpts = true;
        break;
      case 'volume-nocopy':
        volumeOpts = true;
        if (parseBoolValue(val) === null) throw new ValueError(`invalid value for volume-nocopy: ${val}`);
        break;
      case 'image-subpath':
        imageOpts = true;
        break;
      case 'tmpfs-size':
        tmpfsOpts = true;
        try {
          parseBytes(val);
        } catch {
          throw invalid(key, val);
        }
        break;
      case 'tmpfs-mode':
        tmpfsOpts = true;
        try {
          parseGoUint(val, 8, 32);
        } catch {
          throw invalid(key, val);
        }
        break;
      default:
        throw new ValueError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') throw new ValueError('type is required');
  if (target === '') throw new ValueError('target is required');
  if (volumeOpts && type !== 'volume') throw new ValueError(`cannot mix 'volume-*' options with mount type '${type}'`);
  if (imageOpts && type !== 'image') throw new ValueError(`cannot mix 'image-*' options with mount type '${type}'`);
  if (bindOpts && type !== 'bind') throw new ValueError(`cannot mix 'bind-*' options with mount type '${type}'`);
  if (tmpfsOpts && type !== 'tmpfs') throw new ValueError(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  if (bindOpts) {
    if (roNonRecursive && !readOnly)
      throw new ValueError("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
    if (roForce) {
      if (!readOnly)
        throw new ValueError("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
      if (propagation !== 'rprivate')
        throw new ValueError(
          "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction",
        );
    }
  }
  return { type, source, target, readOnly, fields: given };
}

export interface NetworkAttachment {
  /** The network name or mode: 'bridge', 'host', 'container:x', 'mynet'. */
  readonly target: string;
  readonly aliases: readonly string[];
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly macAddress?: string;
  readonly linkLocalIPs: readonly string[];
  /** driver-opt key → value (endpoint driver options, e.g. interface sysctls). */
  readonly driverOpts: ReadonlyMap<string, string>;
}

/** Whether opts.NetworkOpt.Set reads `value` as the CSV long syntax: `\w+=\w+` anywhere in it. */
export function isNetworkLongSyntax(value: string): boolean {
  return /\w+=\w+(,\w+=\w+)*/.test(value);
}

/**
 * opts.NetworkOpt.Set (`--network`/`--net`): a plain name, or — when the value contains
 * `\w+=\w+` anywhere — docker's CSV long syntax with lower-cased keys AND values
 * (`NAME=HOST` is network "host").
 */
export function parseNetwork(value: string): NetworkAttachment {
  if (!isNetworkLongSyntax(value)) return { target: value, aliases: [], linkLocalIPs: [], driverOpts: new Map() };
  const fields = readCsvRecord(value);
  let target = '';
  const aliases: string[] = [];
  const linkLocalIPs: string[] = [];
  const driverOpts = new Map<string, string>();
  let ipv4: string | undefined;
  let ipv6: string | undefined;
  let macAddress: string | undefined;
  for (const field of fields) {
    const lf = field.toLowerCase();
    const eq = lf.indexOf('=');
    if (eq <= 0) throw new ValueError(`invalid field ${field}`);
    const key = lf.slice(0, eq).trim();
    const val = lf.slice(eq + 1).trim();
    switch (key) {
      case 'name':
        target = val;
        break;
      case 'alias':
        aliases.push(val);
        break;
      case 'ip':
        ipv4 = val;
        break;
      case 'ip6':
        ipv6 = val;
        break;
      case 'mac-address':
        macAddress = val;
        break;
      case 'link-local-ip':
        linkLocalIPs.push(val);
        break;
      case 'driver-opt': {
        const deq = val.indexOf('=');
        if (deq <= 0) throw new ValueError('invalid key value pair format in driver options');
        driverOpts.set(val.slice(0, deq).trim(), val.slice(deq + 1).trim());
        break;
      }
      case 'gw-priority':
        try {
          goAtoi(val);
        } catch (e) {
          const why =
            e instanceof ValueError && e.message.endsWith('value out of range')
              ? 'value out of range'
              : 'invalid syntax';
          throw new ValueError(`invalid gw-priority (${val}): ${why}`);
        }
        break;
      default:
        throw new ValueError(`invalid field key ${key}`);
    }
  }
  if (target.length === 0) throw new ValueError('network name/id is not specified');
  return { target, aliases, ipv4, ipv6, macAddress, linkLocalIPs, driverOpts };
}

function gpuCount(s: string): void {
  if (s === 'all') return;
  try {
    goAtoi(s);
  } catch (e) {
    const why =
      e instanceof ValueError && e.message.endsWith('value out of range') ? 'value out of range' : 'invalid syntax';
    throw new ValueError(`invalid count (${s}): value must be either "all" or an integer: ${why}`);
  }
}

/** opts.GpuOpts.Set (`--gpus`). */
function validateGpus(value: string): void {
  const seen = new Set<string>();
  for (const field of readCsvRecord(value)) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    const val = field.slice(eq + 1);
    if (seen.has(key)) throw new ValueError(`gpu request key '${key}' can be specified only once`);
    seen.add(key);
    if (eq < 0) {
      seen.add('count');
      gpuCount(key);
      continue;
    }
    switch (key) {
      case 'driver':
      case 'device':
      case 'capabilities':
        break;
      case 'count':
        gpuCount(val);
        break;
      case 'options':
        try {
          readCsvRecord(val);
        } catch (e) {
          throw new ValueError(`failed to read gpu options: ${(e as Error).message}`);
        }
        break;
      default:
        throw new ValueError(`unexpected key '${key}' in '${field}'`);
    }
  }
}

function stringSlice(value: string): void {
  if (value !== '') readCsvRecord(value);
}

type Check = (value: string) => unknown;

const CONTAINER_VALIDATORS: Record<string, Check> = {
  attach: validateAttach,
  'blkio-weight-device': validateWeightDevice,
  dns: validateIPAddress,
  'dns-search': validateDNSSearch,
  'device-cgroup-rule': validateDeviceCgroupRule,
  'device-read-bps': validateThrottleBps,
  'device-write-bps': validateThrottleBps,
  'device-read-iops': validateThrottleIOps,
  'device-write-iops': validateThrottleIOps,
  env: validateEnv,
  'add-host': validateExtraHost,
  label: validateLabel,
  link: validateLink,
  sysctl: validateSysctl,
  mount: parseMount,
  network: parseNetwork,
  gpus: validateGpus,
};

/** Validators docker attaches to specific flags (ListOpts/MapOpts/custom Values), by command. */
const VALIDATORS: Record<string, Record<string, Check>> = {
  run: CONTAINER_VALIDATORS,
  create: CONTAINER_VALIDATORS,
  exec: { env: validateEnv },
  build: { tag: validateTag, 'build-arg': validateEnv, label: validateLabel, 'add-host': validateExtraHost },
  ps: { filter: validateFilter },
  images: { filter: validateFilter },
};

/** Checks by pflag type / Go type, for every command. */
function typeCheck(flag: FlagSpec): Check | undefined {
  switch (flag.goType) {
    case 'int':
    case 'int64':
      return (v) => parseGoInt(v, 0, 64);
    case 'uint16':
      return (v) => parseGoUint(v, 0, 16);
    case 'uint64':
      return (v) => parseGoUint(v, 0, 64);
    case 'time.Duration':
      return parseDuration;
    case 'opts.MemBytes':
      return parseBytes;
    case 'opts.MemSwapBytes':
      return parseMemSwapBytes;
    case 'opts.NanoCPUs':
      return parseNanoCPUs;
    case 'opts.UlimitOpt':
      return parseUlimit;
    case 'opts.FilterOpt':
      return validateFilter;
    case '[]string':
      return stringSlice;
  }
  return undefined;
}

/**
 * The check docker's CLI makes when it sets `value` on `flag` (pflag Value.Set), for the command
 * `command` (canonical name; validators differ per command). Returns docker's error text (what
 * follows `invalid argument "v" for "--flag" flag: `), or null when docker accepts the value.
 * Bool flags are checked by the parser itself.
 */
export function checkFlagValue(flag: FlagSpec, value: string, command?: string | null): string | null {
  const name = flag.aliasOf ?? flag.long;
  const check = (command ? VALIDATORS[command]?.[name] : undefined) ?? typeCheck(flag);
  if (!check) return null;
  try {
    check(value);
    return null;
  } catch (e) {
    if (e instanceof ValueError) return e.message;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// After parsing: what `docker run`/`docker create` reject before creating anything

/** net.ParseMAC: 6, 8 or 20 octets, ':'/'-' separated pairs or '.'-separated quads. */
function isGoMAC(s: string): boolean {
  const n = s.length;
  if (n < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    if ((n + 1) % 3 !== 0) return false;
    const octets = (n + 1) / 3;
    if (octets !== 6 && octets !== 8 && octets !== 20) return false;
    const sep = s[2];
    for (let i = 0; i < octets; i++) {
      if (!/^[0-9a-fA-F]{2}$/.test(s.slice(3 * i, 3 * i + 2))) return false;
      if (i < octets - 1 && s[3 * i + 2] !== sep) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((n + 1) % 5 !== 0) return false;
    const octets = (2 * (n + 1)) / 5;
    if (octets !== 6 && octets !== 8 && octets !== 20) return false;
    for (let i = 0; i < octets / 2; i++) {
      if (!/^[0-9a-fA-F]{4}$/.test(s.slice(5 * i, 5 * i + 4))) return false;
      if (i < octets / 2 - 1 && s[5 * i + 4] !== '.') return false;
    }
    return true;
  }
  return false;
}

/** compose loader.ParseVolume (the `-v` syntax): throws on what docker rejects. */
export function parseVolumeSpec(spec: string): { source: string; target: string } {
  const chars = [...spec];
  if (spec.length === 0) throw new ValueError('invalid empty volume spec');
  if (Buffer.byteLength(spec) <= 2) return { source: '', target: spec };
  let source = '';
  let target = '';
  let buffer: string[] = [];
  const END = '\u0000end';
  for (const ch of [...chars, END]) {
    if (ch === ':' && buffer.length === 1 && /^\p{L}$/u.test(buffer[0])) {
      buffer.push(ch);
    } else if (ch === ':' || ch === END) {
      const str = buffer.join('');
      if (buffer.length === 0) throw new ValueError(`invalid spec: ${spec}: empty section between colons`);
      if (source === '' && ch === END) target = str;
      else if (source === '') source = str;
      else if (target === '') target = str;
      else if (ch === ':') throw new ValueError(`invalid spec: ${spec}: too many colons`);
      buffer = [];
    } else buffer.push(ch);
  }
  return { source, target };
}

function parsePortRange(ports: string): [bigint, bigint] {
  if (ports === '') throw new ValueError('empty string specified for ports');
  if (!ports.includes('-')) {
    const p = parseGoUint(ports, 10, 16);
    return [p, p];
  }
  const parts = ports.split('-');
  const start = parseGoUint(parts[0], 10, 16);
  const end = parseGoUint(parts[1], 10, 16);
  if (end < start) throw new ValueError(`invalid range specified for port: ${ports}`);
  return [start, end];
}

function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0].length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1].length === 0) return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

export interface PortSpec {
  readonly ip: string;
  /** Host port or range as written ('' = any). */
  readonly hostPort: string;
  readonly hostRange: readonly [bigint, bigint] | null;
  readonly containerRange: readonly [bigint, bigint];
  readonly proto: string;
}

/**
 * go-connections nat.ParsePortSpec after docker's convertToStandardNotation (`-p`/`--publish`:
 * `[ip:][hostPort:]containerPort[/proto]`, ranges, `[::1]:80:80`, and the long
 * `published=…,target=…,protocol=…` form). Throws ValueError with docker's text.
 */
export function parsePortSpec(publish: string): PortSpec {
  let raw = publish;
  if (publish.includes('=')) {
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of publish.split(',')) {
      const eq = param.indexOf('=');
      if (eq <= 0) throw new ValueError(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, eq)] = param.slice(eq + 1);
    }
    raw = `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  }
  const parts = raw.split(':');
  const n = parts.length;
  let containerPort = parts[n - 1];
  let ip = '';
  let hostPort = '';
  if (n === 2) hostPort = parts[0];
  else if (n === 3) [ip, hostPort] = [parts[0], parts[1]];
  else if (n > 3) [ip, hostPort] = [parts.slice(0, n - 2).join(':'), parts[n - 2]];
  const [proto, port] = splitProtoPort(containerPort);
  containerPort = port;
  if (ip !== '' && ip[0] === '[') {
    // net.SplitHostPort(ip + ":")
    const close = ip.indexOf(']');
    if (close < 0) throw new ValueError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
    if (close !== ip.length - 1)
      throw new ValueError(`invalid IP address ${ip}: address ${ip}:: too many colons in address`);
    ip = ip.slice(1, close);
  }
  if (ip !== '' && !isGoIP(ip)) throw new ValueError(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new ValueError(`no port specified: ${raw}<empty>`);
  let cr: [bigint, bigint];
  try {
    cr = parsePortRange(containerPort);
  } catch {
    throw new ValueError(`invalid containerPort: ${containerPort}`);
  }
  let hr: [bigint, bigint] | null = null;
  if (hostPort.length > 0) {
    try {
      hr = parsePortRange(hostPort);
    } catch {
      throw new ValueError(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hr && cr[1] - cr[0] !== hr[1] - hr[0] && cr[1] !== cr[0])
    throw new ValueError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new ValueError(`invalid proto: ${proto}`);
  return { ip, hostPort, hostRange: hr, containerRange: cr, proto: proto.toLowerCase() };
}

function validateExpose(e: string): void {
  if (e.includes(':')) throw new ValueError(`invalid port format for --expose: ${e}`);
  const [, port] = splitProtoPort(e);
  try {
    parsePortRange(port);
  } catch (err) {
    throw new ValueError(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
  }
}

/** CDI device names (`vendor.com/class=name`): passed as a device request, not a path. */
function isCdiQualifiedName(device: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9]*(?:[._-][a-zA-Z0-9]+)*(?:\.[a-zA-Z0-9]+(?:[._-][a-zA-Z0-9]+)*)*\/[a-zA-Z](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?=[a-zA-Z0-9](?:[a-zA-Z0-9_.:-]*[a-zA-Z0-9])?$/.test(
    device,
  );
}

function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

function validateDevice(val: string): void {
  if (isCdiQualifiedName(val)) return;
  if (val.split(':').length - 1 > 2) throw new ValueError(`bad format for path: ${val}`);
  const split = val.split(':');
  if (split[0] === '') throw new ValueError(`bad format for path: ${val}`);
  let containerPath = split[0];
  if (split.length === 2 && !validDeviceMode(split[1])) containerPath = split[1];
  if (split.length === 3) {
    containerPath = split[1];
    if (!validDeviceMode(split[2])) throw new ValueError(`bad mode specified: ${split[2]}`);
  }
  if (!containerPath.startsWith('/')) throw new ValueError(`${containerPath} is not an absolute path`);
}

function cut(s: string, sep: string): [string, string, boolean] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, '', false] : [s.slice(0, i), s.slice(i + sep.length), true];
}

function containerMode(v: string): boolean {
  const [k, id, ok] = cut(v, ':');
  return ok && k === 'container' && id !== '';
}

function isUserDefinedNetwork(n: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(n) && !n.startsWith('container:');
}

const PLATFORM_OS = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$/;
const PLATFORM_PART = /^[A-Za-z0-9_.-]+$/;
const KNOWN_OS = new Set(
  'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris windows zos'.split(
    ' ',
  ),
);
const KNOWN_ARCH = new Set(
  '386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm'.split(
    ' ',
  ),
);

/** containerd platforms.Parse (`--platform`): throws ValueError on what docker rejects. */
export function parsePlatform(specifier: string): void {
  const invalid = (msg: string) => new ValueError(`error parsing specified platform: ${msg}: invalid argument`);
  if (specifier.includes('*')) throw invalid(`${goQuote(specifier)}: wildcards not yet supported`);
  const parts = specifier.split('/');
  if (parts.length > 3) throw invalid(`${goQuote(specifier)}: cannot parse platform specifier`);
  const osm = PLATFORM_OS.exec(parts[0]);
  if (!osm)
    throw invalid(
      `${goQuote(parts[0])} is an invalid OS component of ${goQuote(specifier)}: OSAndVersion specifier component must match ${goQuote(PLATFORM_OS.source)}`,
    );
  for (const p of parts.slice(1))
    if (!PLATFORM_PART.test(p))
      throw invalid(
        `${goQuote(p)} is an invalid component of ${goQuote(specifier)}: platform specifier component must match ${goQuote(PLATFORM_PART.source)}`,
      );
  if (parts.length === 1) {
    const os = osm[1].toLowerCase() === 'macos' ? 'darwin' : osm[1].toLowerCase();
    if (KNOWN_OS.has(os)) return;
    const arch = parts[0].toLowerCase();
    const norm =
      arch === 'i386'
        ? '386'
        : arch === 'x86_64' || arch === 'x86-64'
          ? 'amd64'
          : arch === 'aarch64'
            ? 'arm64'
            : arch === 'armhf' || arch === 'armel'
              ? 'arm'
              : arch;
    if (KNOWN_ARCH.has(norm)) return;
    throw invalid(`${goQuote(specifier)}: unknown operating system or architecture`);
  }
}

function all(values: FlagValues, name: string): string[] {
  return values[name] ?? [];
}

function boolFlag(values: FlagValues, name: string): boolean {
  return lastValue(values, name) === 'true';
}

/**
 * What docker rejects after parsing a command line but before creating anything: for run and
 * create, validatePullOpt and cli/command/container/opts.go parse() (ports, --expose, devices,
 * namespace modes, restart policy, security/storage options, health checks, --rm with --restart,
 * network options, MAC address, -v syntax) and the --platform parse. Throws UsageError with
 * docker's text; `words` are the command words for the message. Assumes a Linux engine.
 */
export function validateCommand(cmd: ParsedCommand): void {
  if (cmd.command !== 'run' && cmd.command !== 'create') return;
  if (boolFlag(cmd.flags, 'help')) return;
  try {
    validateContainerOptions(cmd.flags);
    if (cmd.command === 'run') validateRunOptions(cmd.flags);
  } catch (e) {
    if (e instanceof ValueError) throw new UsageError(e.message, cmd.words);
    throw e;
  }
}

function validateContainerOptions(f: FlagValues): void {
  const pull = lastValue(f, 'pull');
  if (pull !== undefined && !['always', 'missing', 'never', ''].includes(pull))
    throw new ValueError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  const mac = lastValue(f, 'mac-address');
  if (mac && !isGoMAC(mac.trim())) throw new ValueError(`${mac} is not a valid mac address`);
  const swappiness = lastValue(f, 'memory-swappiness');
  if (swappiness !== undefined) {
    const s = parseGoInt(swappiness);
    if (s !== -1n && (s < 0n || s > 100n))
      throw new ValueError(`invalid value: ${s}. Valid memory swappiness range is 0-100`);
  }
  for (const v of new Set(all(f, 'volume'))) parseVolumeSpec(v);
  for (const p of all(f, 'publish')) parsePortSpec(p);
  for (const e of all(f, 'expose')) validateExpose(e);
  for (const d of all(f, 'device')) validateDevice(d);
  const pid = lastValue(f, 'pid') ?? '';
  if (!(pid === '' || pid === 'host' || containerMode(pid))) throw new ValueError('--pid: invalid PID mode');
  const uts = lastValue(f, 'uts') ?? '';
  if (!(uts === '' || uts === 'host')) throw new ValueError('--uts: invalid UTS mode');
  const userns = lastValue(f, 'userns') ?? '';
  if (!(userns === '' || userns === 'host')) throw new ValueError('--userns: invalid USER mode');
  const cgroupns = lastValue(f, 'cgroupns') ?? '';
  if (!['', 'host', 'private'].includes(cgroupns)) throw new ValueError('--cgroupns: invalid CGROUP mode');
  const restart = lastValue(f, 'restart') ?? 'no';
  let restartName = '';
  if (restart !== '') {
    const [k, v, ok] = cut(restart, ':');
    if (ok && k === '') throw new ValueError('invalid restart policy format: no policy provided before colon');
    if (v !== '') {
      try {
        goAtoi(v);
      } catch {
        throw new ValueError('invalid restart policy format: maximum retry count must be an integer');
      }
    }
    restartName = k;
  }
  if (lastValue(f, 'log-driver') === 'none' && all(f, 'log-opt').length > 0)
    throw new ValueError('invalid logging opts for driver none');
  for (const opt of all(f, 'security-opt')) {
    let [k, v, ok] = cut(opt, '=');
    if (!ok && k !== 'no-new-privileges') [k, v, ok] = cut(opt, ':');
    if ((!ok || v === '') && k !== 'no-new-privileges') throw new ValueError(`Invalid --security-opt: ${goQuote(opt)}`);
  }
  for (const opt of all(f, 'storage-opt')) if (!opt.includes('=')) throw new ValueError('invalid storage option');
  // Health checks.
  const num = (name: string) => {
    const v = lastValue(f, name);
    return v === undefined ? 0n : parseGoInt(v);
  };
  const dur = (name: string) => {
    const v = lastValue(f, name);
    return v === undefined ? 0n : parseDuration(v);
  };
  const hi = dur('health-interval');
  const ht = dur('health-timeout');
  const hsp = dur('health-start-period');
  const hsi = dur('health-start-interval');
  const hr = num('health-retries');
  const haveHealth =
    (lastValue(f, 'health-cmd') ?? '') !== '' || hi !== 0n || ht !== 0n || hsp !== 0n || hr !== 0n || hsi !== 0n;
  if (boolFlag(f, 'no-healthcheck')) {
    if (haveHealth) throw new ValueError('--no-healthcheck conflicts with --health-* options');
  } else if (haveHealth) {
    if (hi < 0n) throw new ValueError('--health-interval cannot be negative');
    if (ht < 0n) throw new ValueError('--health-timeout cannot be negative');
    if (hr < 0n) throw new ValueError('--health-retries cannot be negative');
    if (hsp < 0n) throw new ValueError('--health-start-period cannot be negative');
    if (hsi < 0n) throw new ValueError('--health-start-interval cannot be negative');
  }
  if (boolFlag(f, 'rm') && !['', 'no'].includes(restartName))
    throw new ValueError('conflicting options: cannot specify both --restart and --rm');
  validateNetworkOptions(f);
  const platform = lastValue(f, 'platform');
  if (platform) parsePlatform(platform);
}

/** run only (runContainer, before create): --attach with --detach. */
function validateRunOptions(f: FlagValues): void {
  if (boolFlag(f, 'detach') && all(f, 'attach').length > 0)
    throw new ValueError('conflicting options: cannot specify both --attach and --detach');
}

/** parseNetworkOpts / applyContainerOptions / parseNetworkAttachmentOpt. */
function validateNetworkOptions(f: FlagValues): void {
  const nets = all(f, 'network').map(parseNetwork);
  const aliases = all(f, 'network-alias');
  const links = all(f, 'link');
  const ip = lastValue(f, 'ip') ?? '';
  const ip6 = lastValue(f, 'ip6') ?? '';
  const mac = lastValue(f, 'mac-address') ?? '';
  const lli = all(f, 'link-local-ip');
  const userDefined = (t: string) => isUserDefinedNetwork(t);
  const apply = (n: NetworkAttachment) => {
    if (n.aliases.length > 0 && aliases.length > 0)
      throw new ValueError('conflicting options: cannot specify both --network-alias and per-network alias');
    if ((n.ipv4 ?? '') !== '' && ip !== '')
      throw new ValueError('conflicting options: cannot specify both --ip and per-network IPv4 address');
    if ((n.ipv6 ?? '') !== '' && ip6 !== '')
      throw new ValueError('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
    if ((n.macAddress ?? '') !== '' && mac !== '')
      throw new ValueError('conflicting options: cannot specify both --mac-address and per-network MAC address');
    if (n.linkLocalIPs.length > 0 && lli.length > 0)
      throw new ValueError(
        'conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses',
      );
    return {
      ...n,
      aliases: aliases.length > 0 ? aliases : n.aliases,
      links: userDefined(n.target) ? links : [],
      macAddress: mac !== '' ? mac : n.macAddress,
    };
  };
  const endpoint = (n: NetworkAttachment & { links: readonly string[] }) => {
    if (n.target.trim() === '') throw new ValueError('no name set for network');
    if (!userDefined(n.target)) {
      if (n.aliases.length > 0)
        throw new ValueError('network-scoped aliases are only supported for user-defined networks');
      if (n.links.length > 0) throw new ValueError('links are only supported for user-defined networks');
    }
    if (n.macAddress && !isGoMAC(n.macAddress.trim()))
      throw new ValueError(`${n.macAddress} is not a valid mac address`);
  };
  if (nets.length === 0) endpoint(apply({ target: 'default', aliases: [], linkLocalIPs: [], driverOpts: new Map() }));
  const seen = new Set<string>();
  let hasUser = false;
  let hasNonUser = false;
  nets.forEach((n, i) => {
    if (userDefined(n.target)) hasUser = true;
    else hasNonUser = true;
    const full = i === 0 ? apply(n) : { ...n, links: [] as string[] };
    endpoint(full);
    if (seen.has(n.target)) throw new ValueError(`network ${goQuote(n.target)} is specified multiple times`);
    seen.add(n.target);
  });
  if (hasUser && hasNonUser)
    throw new ValueError('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
}
