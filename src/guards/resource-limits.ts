// Resource limits: a service may set tighter limits, never remove them. Numbers are read the way
// the docker CLI reads them (pflag's strconv.ParseInt base 0 for int flags, go-units RAMInBytes for
// byte sizes, go-units ParseUlimit for --ulimit), so `0x0`, `1_0`, `-0`, `0b`, `0.5k` mean here
// what they mean to docker. The flags that only remove limits (--oom-kill-disable, --cpu-rt-*,
// --cgroup-parent, --kernel-memory) are refused by the flag table.
//
// The Go-number readers below are local until src/docker/values.ts offers the same; a value docker
// would reject is refused here too (docker would not run it either).
import { lastValue, type ParsedCommand } from '../docker/model.js';
import type { Finding, Rule } from './rule.js';

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/**
 * Go's underscoreOK (strconv/atoi.go): underscores only between digits (or after a base prefix),
 * never first, last or doubled.
 */
function underscoreOK(s0: string): boolean {
  let s = s0;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes((s[1] as string).toLowerCase())) {
    i = 2;
    saw = '0';
    hex = (s[1] as string).toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
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

/**
 * strconv.ParseInt(s, base, 64) for base 0 (prefixes 0x, 0o, 0b, leading 0 = octal, underscores)
 * or base 10 (digits only). Returns null where Go returns an error (syntax or range).
 */
export function goParseInt(s: string, base: 0 | 10 = 0): bigint | null {
  if (s === '') return null;
  let neg = false;
  let body = s;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  if (body === '') return null;
  let radix = 10;
  let digits = body;
  if (base === 0 && body[0] === '0') {
    const p = (body[1] ?? '').toLowerCase();
    if (body.length >= 3 && p === 'b') [radix, digits] = [2, body.slice(2)];
    else if (body.length >= 3 && p === 'o') [radix, digits] = [8, body.slice(2)];
    else if (body.length >= 3 && p === 'x') [radix, digits] = [16, body.slice(2)];
    else [radix, digits] = [8, body.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === '_' && base === 0) {
      underscores = true;
      continue;
    }
    const d = /[0-9]/.test(c) ? c.charCodeAt(0) - 48 : /[a-z]/i.test(c) ? c.toLowerCase().charCodeAt(0) - 87 : 99;
    if (d >= radix) return null;
    n = n * BigInt(radix) + BigInt(d);
  }
  if (underscores && !underscoreOK(s)) return null;
  const v = neg ? -n : n;
  return v > MAX_INT64 || v < MIN_INT64 ? null : v;
}

/**
 * strconv.ParseFloat(s, 64) for the finite decimal and hexadecimal forms go-units can hand it
 * (its number part always ends in a digit or '.'). Returns null where Go returns an error.
 */
export function goParseFloat(s: string): number | null {
  const dec = /^([+-]?)((?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?)$/.exec(s);
  const hex = /^([+-]?)0[xX]((?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+))[pP]([+-]?[0-9_]+)$/.exec(s);
  if (!dec && !hex) return null;
  if (s.includes('_') && !underscoreOK(s)) return null;
  let v: number;
  if (hex) {
    const [mant = '', frac = ''] = (hex[2] as string).replaceAll('_', '').split('.');
    if (mant + frac === '') return null;
    const exp = Number((hex[3] as string).replaceAll('_', ''));
    v = Number(BigInt(`0x${mant}${frac}` === '0x' ? '0' : `0x${mant}${frac}`)) * 2 ** (exp - 4 * frac.length);
    if (hex[1] === '-') v = -v;
  } else {
    const body = (dec as RegExpExecArray)[2] as string;
    if (!/[0-9]/.test(body.split(/[eE]/)[0] as string)) return null;
    v = Number(`${(dec as RegExpExecArray)[1]}${body.replaceAll('_', '')}`);
  }
  return Number.isFinite(v) ? v : null; // Go: ±Inf with ErrRange
}

/**
 * go-units RAMInBytes (size.go parseSize with the binary map): `512m`, `1.5g`, `0b`, `1 KiB`.
 * Returns the int64 docker would use, or null where docker rejects the value. A size of 2^63 or
 * more overflows Go's float→int64 conversion, which on amd64 gives math.MinInt64: so do we.
 */
export function ramInBytes(size: string): bigint | null {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--)
    if ('0123456789. '.includes(size[i] as string)) {
      sep = i;
      break;
    }
  if (sep === -1) return null;
  const [num, sfx] = size[sep] !== ' ' ? [size.slice(0, sep + 1), size.slice(sep + 1)] : [size.slice(0, sep), size.slice(sep + 1)];
  const value = goParseFloat(num);
  if (value === null || value < 0) return null;
  let mul = 1;
  if (sfx.length > 0) {
    if (sfx.length > 3) return null;
    const lower = sfx.toLowerCase();
    if (lower[0] === 'b') {
      if (lower.length > 1) return null;
    } else {
      const k = 'kmgtp'.indexOf(lower[0] as string);
      if (k < 0) return null;
      if ((lower.length === 2 && lower[1] !== 'b') || (lower.length === 3 && lower.slice(1) !== 'ib')) return null;
      mul = 1024 ** (k + 1);
    }
  }
  const bytes = value * mul;
  if (bytes >= 2 ** 63) return MIN_INT64;
  return BigInt(Math.trunc(bytes));
}

/** opts.MemSwapBytes: exactly "-1" is unlimited swap, anything else is a RAMInBytes size. */
function memSwapBytes(value: string): bigint | null {
  return value === '-1' ? -1n : ramInBytes(value);
}

/** go-units ulimitNameMapping: the names docker accepts (case-sensitive; `as` is disabled). */
const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss',
  'rtprio', 'rttime', 'sigpending', 'stack',
]);

export interface Ulimit {
  readonly name: string;
  readonly soft: bigint;
  readonly hard: bigint;
}

/** go-units ParseUlimit: `name=soft[:hard]`, numbers base 10. Returns docker's error text on failure. */
export function parseUlimit(val: string): Ulimit | string {
  const eq = val.indexOf('=');
  if (eq < 0) return `invalid ulimit argument: ${val}`;
  const name = val.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) return `invalid ulimit type: ${name}`;
  const parts = val.slice(eq + 1).split(':');
  if (parts.length > 2) return `too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``;
  const soft = goParseInt(parts[0] as string, 10);
  const hard = parts.length === 2 ? goParseInt(parts[1] as string, 10) : soft;
  if (soft === null || hard === null) return `invalid ulimit value: ${val.slice(eq + 1)}`;
  if (hard !== -1n) {
    if (soft === -1n) return `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`;
    if (soft > hard) return `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`;
  }
  return { name, soft, hard };
}

/** A ulimit value at or above this is as good as unlimited (RLIM_INFINITY is 2^64-1). */
const EFFECTIVELY_UNLIMITED = 1n << 62n;

function ulimitFindings(flag: string, raw: string): Finding[] {
  const u = parseUlimit(raw);
  if (typeof u === 'string') return [{ message: `${flag} ${raw}: docker rejects this value (${u})` }];
  const out: Finding[] = [];
  for (const [which, v] of [['soft', u.soft], ['hard', u.hard]] as const) {
    if (which === 'hard' && u.hard === u.soft && raw.indexOf(':') < 0) continue; // one value: reported once
    if (v < 0n)
      out.push({
        message: `${flag} ${raw}: a negative ${which} limit${v === -1n ? ' (-1)' : ''} is unlimited (the kernel reads it as RLIM_INFINITY)`,
      });
    else if (v >= EFFECTIVELY_UNLIMITED)
      out.push({ message: `${flag} ${raw}: a ${which} limit of ${v} is as good as unlimited` });
  }
  if (out.length > 0) return out;
  // Limits that hand out priority over the host's own processes without any capability:
  // RLIMIT_RTPRIO lets an unprivileged process take a real-time scheduling class, RLIMIT_NICE
  // above 20 lets it lower its nice value below 0.
  if (u.name === 'rtprio' && (u.soft > 0n || u.hard > 0n))
    out.push({
      message: `${flag} ${raw}: rtprio lets the container run real-time threads that can starve the host's processes`,
      fix: 'Leave out --ulimit rtprio; services run with normal scheduling.',
    });
  if (u.name === 'nice' && (u.soft > 20n || u.hard > 20n))
    out.push({
      message: `${flag} ${raw}: a nice limit above 20 lets the container raise its priority above the host's processes`,
      fix: 'Leave out --ulimit nice, or keep it at 20 or below.',
    });
  return out;
}

function memoryFindings(cmd: ParsedCommand): Finding[] {
  const out: Finding[] = [];
  const memory = lastValue(cmd.flags, 'memory');
  if (memory !== undefined) {
    const bytes = ramInBytes(memory);
    if (bytes === null) out.push({ message: `--memory ${memory}: docker rejects this value (invalid size)` });
    else if (bytes === 0n)
      out.push({ message: `--memory ${memory}: reads as 0 bytes, which means no memory limit at all` });
    else if (bytes < 0n) out.push({ message: `--memory ${memory}: too large, docker turns it into a negative number` });
  }
  const swap = lastValue(cmd.flags, 'memory-swap');
  if (swap !== undefined) {
    const bytes = memSwapBytes(swap);
    if (bytes === null) out.push({ message: `--memory-swap ${swap}: docker rejects this value (invalid size)` });
    else if (bytes === -1n) out.push({ message: `--memory-swap ${swap}: -1 means unlimited swap` });
    else if (bytes < 0n) out.push({ message: `--memory-swap ${swap}: too large, docker turns it into a negative number` });
  }
  return out;
}

function intFindings(cmd: ParsedCommand): Finding[] {
  const out: Finding[] = [];
  const oom = lastValue(cmd.flags, 'oom-score-adj');
  if (oom !== undefined) {
    const v = goParseInt(oom);
    if (v === null) out.push({ message: `--oom-score-adj ${oom}: docker rejects this value (not an integer)` });
    else if (v < 0n)
      out.push({
        message: `--oom-score-adj ${oom}: reads as ${v}; a negative score protects the container from the OOM killer, so the host's processes are killed first`,
        fix: 'Leave out --oom-score-adj, or give a value from 0 to 1000.',
      });
  }
  const pids = lastValue(cmd.flags, 'pids-limit');
  if (pids !== undefined) {
    const v = goParseInt(pids);
    if (v === null) out.push({ message: `--pids-limit ${pids}: docker rejects this value (not an integer)` });
    else if (v <= 0n)
      out.push({
        message: `--pids-limit ${pids}: reads as ${v}, which means no process limit (a fork bomb takes the host down)`,
        fix: 'Give a positive --pids-limit (for example 256), or leave it out to get the policy default.',
      });
  }
  return out;
}

export const rule: Rule = {
  id: 'resource-limits',
  title: "No unlimited resources",
  reason: "A container without memory, process or priority limits can take the shared host down for everyone.",
  fix: "Give a real limit (for example --memory 512m, --pids-limit 256) or leave the flag out to get the policy default.",
  check(cmd) {
    if (cmd.command !== 'run' && cmd.command !== 'build') return [];
    const out = [...memoryFindings(cmd)];
    if (cmd.command === 'run') out.push(...intFindings(cmd));
    for (const raw of cmd.flags.ulimit ?? []) out.push(...ulimitFindings('--ulimit', raw));
    return out;
  },
};
