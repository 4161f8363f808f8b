// Resource limits: a service may set tighter limits, never remove them. Numbers are read the way
// the docker CLI reads them (pflag's strconv.ParseInt base 0 for int flags, go-units RAMInBytes for
// byte sizes, go-units ParseUlimit for --ulimit), so `0x0`, `1_0`, `-0`, `0b`, `0.5k` mean here
// what they mean to docker. The flags that only remove limits (--oom-kill-disable, --cpu-rt-*,
// --cgroup-parent, --kernel-memory) are refused by the flag table.
//
// The readers are src/docker/values.ts's; a value docker would reject is refused here too (the
// parser already makes it a usage error).
import { lastValue, type ParsedCommand } from '../docker/model.js';
import { parseBytes, parseGoInt, parseMemSwapBytes, parseUlimit, ValueError } from '../docker/values.js';
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
    const bytes = attempt(() => parseBytes(memory));
    if (bytes === null) out.push({ message: `--memory ${memory}: docker rejects this value (invalid size)` });
    else if (bytes === 0n)
      out.push({ message: `--memory ${memory}: reads as 0 bytes, which means no memory limit at all` });
    else if (bytes < 0n) out.push({ message: `--memory ${memory}: too large, docker turns it into a negative number` });
  }
  const swap = lastValue(cmd.flags, 'memory-swap');
  if (swap !== undefined) {
    const bytes = attempt(() => parseMemSwapBytes(swap));
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
    const v = attempt(() => parseGoInt(oom));
    if (v === null) out.push({ message: `--oom-score-adj ${oom}: docker rejects this value (not an integer)` });
    else if (v < 0n)
      out.push({
        message: `--oom-score-adj ${oom}: reads as ${v}; a negative score protects the container from the OOM killer, so the host's processes are killed first`,
        fix: 'Leave out --oom-score-adj, or give a value from 0 to 1000.',
      });
  }
  const pids = lastValue(cmd.flags, 'pids-limit');
  if (pids !== undefined) {
    const v = attempt(() => parseGoInt(pids));
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
