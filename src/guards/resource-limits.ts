// Resource limits: a service may set tighter limits, never remove them. Numbers are read the way
// the docker CLI reads them (pflag's strconv.ParseInt base 0 for int flags, go-units RAMInBytes for
// byte sizes, go-units ParseUlimit for --ulimit), so `0x0`, `1_0`, `-0`, `0b`, `0.5k` mean here
// what they mean to docker. The flags that only remove limits (--oom-kill-disable, --cpu-rt-*,
// --cgroup-parent, --kernel-memory) are refused by the flag table.
//
// The readers are src/docker/values.ts's; a value docker would reject is refused here too (the
// parser already makes it a usage error).
//
// Ceilings (policy `run.max*`, `run.log*`): a developer may ask for less than the host's ceiling,
// never more, and gets the policy's value when asking for nothing (src/guards/forced-flags.ts):
//   memory  -m above run.maxMemory is refused; without -m, run.memory is forced.
//   swap    --memory-swap (memory plus swap) above run.maxMemory is refused; without it (or with 0,
//           which docker reads as "twice the memory"), it is forced equal to the memory limit: no
//           swap. Swap on a shared host turns one container's memory pressure into disk I/O and
//           latency for everyone, and a limit that spills into swap is not the limit it says; a
//           container at its limit is OOM-killed inside its own cgroup instead (what Kubernetes
//           does by default, too). A developer who wants swap asks for it within the ceiling.
//   pids    --pids-limit above run.maxPidsLimit is refused (0 and below are unlimited: refused).
//   shm     --shm-size above run.maxShmSize is refused.
//   tmpfs   a size above run.maxTmpfsSize is refused; a tmpfs without a size (docker's default
//           is half the host's RAM) gets run.maxTmpfsSize: forcing works in both syntaxes, so no
//           refusal is needed. tmpfs and /dev/shm pages are also charged to the container's memory
//           cgroup, so the memory limit bounds what they can really hold; the ceilings keep a
//           single mount from promising more.
//   logs    --log-opt max-size above run.logMaxSize or max-file above run.logMaxFile is refused
//           (and max-buffer-size above run.logMaxSize: non-blocking mode buffers in the engine);
//           without them the policy's values are forced (with the json-file driver, when none
//           is given: the daemon's default driver could be one that ignores them).
import { lastValue, type ParsedCommand } from '../docker/model.js';
import { goAtoi, parseBytes, parseGoInt, parseMemSwapBytes, parseUlimit, ValueError } from '../docker/values.js';
import type { Policy } from '../policy/policy.js';
import { readMount } from './host-mount.js';
import { shown } from './read-like-docker.js';
import type { Finding, Rule } from './rule.js';

/** A value docker rejects: null (the parser normally refuses these as usage errors first). */
function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValueError) return null;
    throw e;
  }
}

/** A ulimit value at or above this is as good as unlimited (RLIM_INFINITY is 2^64-1). */
const EFFECTIVELY_UNLIMITED = 1n << 62n;

function ulimitFindings(flag: string, raw: string): Finding[] {
  const u = attempt(() => parseUlimit(raw));
  if (u === null) return [{ message: `${flag} ${raw}: docker rejects this value` }];
  const out: Finding[] = [];
  for (const [which, v] of [
    ['soft', u.soft],
    ['hard', u.hard],
  ] as const) {
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

/** A policy size in bytes (validated when the policy was loaded; 0 if it somehow is not). */
function policySize(value: string): bigint {
  return attempt(() => parseBytes(value)) ?? 0n;
}

/** "is above this host's ceiling of 4g (policy run.maxMemory)" */
function aboveCeiling(ceiling: string | number, key: string): string {
  return `is above this host's ceiling of ${ceiling} (policy run.${key})`;
}

function memoryFindings(cmd: ParsedCommand, policy: Policy): Finding[] {
  const out: Finding[] = [];
  const max = policySize(policy.run.maxMemory);
  const memory = lastValue(cmd.flags, 'memory');
  let memoryBytes = policySize(policy.run.memory);
  if (memory !== undefined) {
    const bytes = attempt(() => parseBytes(memory));
    if (bytes === null) out.push({ message: `--memory ${memory}: docker rejects this value (invalid size)` });
    else if (bytes === 0n)
      out.push({
        message: `--memory ${memory}: reads as 0 bytes, which means no memory limit at all (this host's ceiling is ${policy.run.maxMemory}, policy run.maxMemory)`,
      });
    else if (bytes < 0n) out.push({ message: `--memory ${memory}: too large, docker turns it into a negative number` });
    else if (bytes > max)
      out.push({
        message: `-m/--memory ${memory} ${aboveCeiling(policy.run.maxMemory, 'maxMemory')}`,
        fix: `Ask for at most -m ${policy.run.maxMemory}, or leave -m out to get the default of ${policy.run.memory} (policy run.memory).`,
      });
    if (bytes !== null && bytes > 0n) memoryBytes = bytes;
  }
  const swap = lastValue(cmd.flags, 'memory-swap');
  if (swap !== undefined) {
    const bytes = attempt(() => parseMemSwapBytes(swap));
    if (bytes === null) out.push({ message: `--memory-swap ${swap}: docker rejects this value (invalid size)` });
    else if (bytes === -1n)
      out.push({
        message: `--memory-swap ${swap}: -1 means unlimited swap (memory plus swap may be at most ${policy.run.maxMemory}, policy run.maxMemory)`,
      });
    else if (bytes < 0n)
      out.push({ message: `--memory-swap ${swap}: too large, docker turns it into a negative number` });
    else if (bytes > max)
      out.push({
        message: `--memory-swap ${swap} (memory plus swap) ${aboveCeiling(policy.run.maxMemory, 'maxMemory')}`,
        fix: `Leave --memory-swap out (no swap: the memory limit is the limit), or keep it at most ${policy.run.maxMemory}.`,
      });
    else if (cmd.command === 'run' && bytes > 0n && bytes < memoryBytes)
      out.push({
        message: `--memory-swap ${swap} is below the memory limit (${memory === undefined ? `the default ${policy.run.memory}, policy run.memory` : memory}); docker refuses a swap limit below the memory limit`,
        fix: 'Leave --memory-swap out (no swap), or give a value at least the -m/--memory limit.',
      });
  }
  return out;
}

function pidsFindings(cmd: ParsedCommand, policy: Policy): Finding[] {
  const pids = lastValue(cmd.flags, 'pids-limit');
  if (pids === undefined) return [];
  const v = attempt(() => parseGoInt(pids));
  if (v === null) return [{ message: `--pids-limit ${pids}: docker rejects this value (not an integer)` }];
  if (v <= 0n)
    return [
      {
        message: `--pids-limit ${pids}: reads as ${v}, which means no process limit (a fork bomb takes the host down; this host's ceiling is ${policy.run.maxPidsLimit}, policy run.maxPidsLimit)`,
        fix: `Give a positive --pids-limit up to ${policy.run.maxPidsLimit}, or leave it out to get the policy default of ${policy.run.pidsLimit}.`,
      },
    ];
  if (v > BigInt(policy.run.maxPidsLimit))
    return [
      {
        message: `--pids-limit ${pids} ${aboveCeiling(policy.run.maxPidsLimit, 'maxPidsLimit')}`,
        fix: `Ask for at most --pids-limit ${policy.run.maxPidsLimit}, or leave it out to get the default of ${policy.run.pidsLimit} (policy run.pidsLimit).`,
      },
    ];
  return [];
}

function shmFindings(cmd: ParsedCommand, policy: Policy): Finding[] {
  const shm = lastValue(cmd.flags, 'shm-size');
  if (shm === undefined) return [];
  const bytes = attempt(() => parseBytes(shm));
  if (bytes === null) return [{ message: `--shm-size ${shm}: docker rejects this value (invalid size)` }];
  if (bytes < 0n) return [{ message: `--shm-size ${shm}: too large, docker turns it into a negative number` }];
  if (bytes > policySize(policy.run.maxShmSize))
    return [
      {
        message: `--shm-size ${shm} ${aboveCeiling(policy.run.maxShmSize, 'maxShmSize')}`,
        fix: `Ask for at most --shm-size ${policy.run.maxShmSize}, or leave it out (docker's 64m).`,
      },
    ];
  return [];
}

// --- tmpfs -------------------------------------------------------------------------------------

const KERNEL_SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n };

/**
 * A `--tmpfs` size as this tool accepts it: the kernel's memparse (base 0, so `010` is octal and
 * `0x10` hex; one suffix of K, M, G, T, P, E; `%` of the host's RAM; 0 means unlimited) read in
 * its plain subset only: a decimal number without leading zero and an optional k, m or g. Null
 * for anything else, which is refused rather than guessed at.
 */
export function tmpfsOptionBytes(value: string): bigint | null {
  const m = /^([1-9][0-9]{0,18})([kKmMgG]?)$/.exec(value);
  if (!m) return null;
  return BigInt(m[1]) << (m[2] === '' ? 0n : KERNEL_SHIFT[m[2].toLowerCase()]);
}

/**
 * How the engine reads `--tmpfs PATH[:OPTIONS]`: the CLI cuts at the first ':', the daemon
 * splits the options on ',' and keeps the last of each key (mount.MergeTmpfsOptions).
 */
function tmpfsOptions(value: string): { path: string; options: string[] } {
  const colon = value.indexOf(':');
  if (colon < 0) return { path: value, options: [] };
  const rest = value.slice(colon + 1);
  return { path: value.slice(0, colon), options: rest === '' ? [] : rest.split(',') };
}

function tmpfsFindings(raw: string, policy: Policy): Finding[] {
  const out: Finding[] = [];
  const max = policySize(policy.run.maxTmpfsSize);
  for (const opt of tmpfsOptions(raw).options) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const val = eq < 0 ? '' : opt.slice(eq + 1);
    if (key === 'nr_blocks')
      out.push({
        message: `--tmpfs ${shown(raw)}: nr_blocks sets the tmpfs size in pages, around the size ceiling (policy run.maxTmpfsSize)`,
        fix: `Give the size as size=… (at most ${policy.run.maxTmpfsSize}), or leave it out to get ${policy.run.maxTmpfsSize}.`,
      });
    if (key !== 'size') continue;
    const bytes = tmpfsOptionBytes(val);
    if (bytes === null)
      out.push({
        message: `--tmpfs ${shown(raw)}: size=${shown(val)} is not a size cida-docker reads (0 or a percentage would be unlimited or relative to the host's RAM)`,
        fix: `Write the size as a whole number with k, m or g, e.g. size=64m (at most ${policy.run.maxTmpfsSize}).`,
      });
    else if (bytes > max)
      out.push({
        message: `--tmpfs ${shown(raw)}: size=${val} ${aboveCeiling(policy.run.maxTmpfsSize, 'maxTmpfsSize')}`,
        fix: `Ask for at most size=${policy.run.maxTmpfsSize}, or leave the size out to get ${policy.run.maxTmpfsSize}.`,
      });
  }
  return out;
}

/** `--tmpfs PATH[:OPTIONS]` with the policy's size added when it has none (forced-flags). */
export function tmpfsWithSize(value: string, policy: Policy): string {
  const { options } = tmpfsOptions(value);
  if (options.some((o) => o.startsWith('size='))) return value;
  const size = `size=${policySize(policy.run.maxTmpfsSize)}`;
  const colon = value.indexOf(':');
  return colon < 0 ? `${value}:${size}` : colon === value.length - 1 ? `${value}${size}` : `${value},${size}`;
}

/** The tmpfs-size a `--mount` gives (last one wins, as docker reads it); undefined for none or not a tmpfs. */
function mountTmpfsSize(value: string): { tmpfs: boolean; size?: string } {
  const m = readMount(value);
  if (!m.ok || m.value.type !== 'tmpfs') return { tmpfs: false };
  const sizes = m.value.fields.filter((f) => f.key === 'tmpfs-size');
  return { tmpfs: true, size: sizes.at(-1)?.value };
}

function mountFindings(raw: string, policy: Policy): Finding[] {
  const { tmpfs, size } = mountTmpfsSize(raw);
  if (!tmpfs || size === undefined) return [];
  const bytes = attempt(() => parseBytes(size));
  if (bytes === null) return []; // the parser and host-mount refuse what docker cannot read
  if (bytes < 0n)
    return [
      { message: `--mount ${shown(raw)}: tmpfs-size=${size} is too large, docker turns it into a negative number` },
    ];
  if (bytes > policySize(policy.run.maxTmpfsSize))
    return [
      {
        message: `--mount ${shown(raw)}: tmpfs-size=${size} ${aboveCeiling(policy.run.maxTmpfsSize, 'maxTmpfsSize')}`,
        fix: `Ask for at most tmpfs-size=${policy.run.maxTmpfsSize}, or leave it out to get ${policy.run.maxTmpfsSize}.`,
      },
    ];
  return [];
}

/**
 * `--mount type=tmpfs,…` with tmpfs-size added when it has none or 0 (docker's "no size"). The
 * field is appended: docker keeps the last tmpfs-size. Values that are not a tmpfs docker can
 * read are returned as they are (the rules refuse them).
 */
export function mountWithTmpfsSize(value: string, policy: Policy): string {
  const { tmpfs, size } = mountTmpfsSize(value);
  if (!tmpfs) return value;
  if (size !== undefined && attempt(() => parseBytes(size)) !== 0n) return value;
  return `${value},tmpfs-size=${policySize(policy.run.maxTmpfsSize)}`;
}

// --- logs --------------------------------------------------------------------------------------

/** `--log-opt` key=value as docker reads it (opts.ConvertKVStringsToMap: the last of each key wins). */
export function logOptKey(value: string): string {
  return value.split('=', 1)[0];
}

function logOptFindings(raw: string, policy: Policy): Finding[] {
  const key = logOptKey(raw);
  const val = raw.slice(key.length + 1);
  if (key === 'max-size') {
    // json-file reads it in decimal units (FromHumanSize), local in binary ones (RAMInBytes): the
    // binary reading is the larger, so it is the one held to the ceiling.
    const bytes = attempt(() => parseBytes(val));
    if (bytes === null || bytes <= 0n)
      return [
        {
          message: `--log-opt ${shown(raw)}: max-size must be a positive size (e.g. max-size=10m); -1 or 0 would mean no rotation`,
        },
      ];
    if (bytes > policySize(policy.run.logMaxSize))
      return [
        {
          message: `--log-opt max-size=${val} ${aboveCeiling(policy.run.logMaxSize, 'logMaxSize')}`,
          fix: `Ask for at most max-size=${policy.run.logMaxSize}, or leave it out to get ${policy.run.logMaxSize}.`,
        },
      ];
  }
  if (key === 'max-buffer-size') {
    // mode=non-blocking's ring buffer lives in the engine's own (root) memory, shared by everyone.
    const bytes = attempt(() => parseBytes(val));
    if (bytes === null || bytes < 0n)
      return [{ message: `--log-opt ${shown(raw)}: max-buffer-size must be a size (e.g. max-buffer-size=1m)` }];
    if (bytes > policySize(policy.run.logMaxSize))
      return [
        {
          message: `--log-opt max-buffer-size=${val} ${aboveCeiling(policy.run.logMaxSize, 'logMaxSize')} (the buffer is held in the engine's memory)`,
          fix: `Ask for at most max-buffer-size=${policy.run.logMaxSize}, or leave it out (docker's 1m).`,
        },
      ];
  }
  if (key === 'max-file') {
    const n = attempt(() => goAtoi(val));
    if (n === null || n < 1n)
      return [{ message: `--log-opt ${shown(raw)}: max-file must be a whole number of at least 1` }];
    if (n > BigInt(policy.run.logMaxFile))
      return [
        {
          message: `--log-opt max-file=${val} ${aboveCeiling(policy.run.logMaxFile, 'logMaxFile')}`,
          fix: `Ask for at most max-file=${policy.run.logMaxFile}, or leave it out to get ${policy.run.logMaxFile}.`,
        },
      ];
  }
  return [];
}

function intFindings(cmd: ParsedCommand): Finding[] {
  const out: Finding[] = [];
  const oom = lastValue(cmd.flags, 'oom-score-adj');
  if (oom !== undefined) {
    const v = attempt(() => parseGoInt(oom));
    if (v === null) out.push({ message: `--oom-score-adj ${oom}: docker rejects this value (not an integer)` });
    else if (v < 0n)
      out.push({
        message: `--oom-score-adj ${oom}: reads as ${v}; a negative score protects the container from the OOM killer, so the host's processes are killed first`,
        fix: 'Leave out --oom-score-adj, or give a value from 0 to 1000.',
      });
  }
  return out;
}

export const rule: Rule = {
  id: 'resource-limits',
  title: 'No unlimited resources',
  reason:
    "A container without memory, process, shared-memory, tmpfs, log or priority limits can take the shared host down for everyone; the policy sets each limit's default and ceiling (run.memory, run.maxMemory, run.maxPidsLimit, run.maxShmSize, run.maxTmpfsSize, run.logMaxSize, run.logMaxFile).",
  fix: "Give a real limit within the host's ceiling (for example --memory 512m, --pids-limit 256) or leave the flag out to get the policy default.",
  check(cmd, policy) {
    if (cmd.command !== 'run' && cmd.command !== 'build') return [];
    const out = [...memoryFindings(cmd, policy), ...shmFindings(cmd, policy)];
    if (cmd.command === 'run') {
      out.push(...intFindings(cmd), ...pidsFindings(cmd, policy));
      for (const raw of cmd.flags.tmpfs ?? []) out.push(...tmpfsFindings(raw, policy));
      for (const raw of cmd.flags.mount ?? []) out.push(...mountFindings(raw, policy));
      for (const raw of cmd.flags['log-opt'] ?? []) out.push(...logOptFindings(raw, policy));
    }
    for (const raw of cmd.flags.ulimit ?? []) out.push(...ulimitFindings('--ulimit', raw));
    return out;
  },
};
