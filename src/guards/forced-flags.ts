// What the policy adds to every allowed command before it reaches the engine: for `run`, the
// detached-service contract (-d -P), the hardening defaults, a private cgroup namespace, the
// resource limits a developer did not give (memory, no swap, pids, a size for every tmpfs, log
// rotation; see resource-limits.ts for the ceilings and why) and the owner labels.
import { lastValue, type ParsedCommand } from '../docker/model.js';
import { parseMemSwapBytes, ValueError } from '../docker/values.js';
import type { Policy } from '../policy/policy.js';
import { logOptKey, mountWithTmpfsSize, tmpfsWithSize } from './resource-limits.js';

/** Who asked, as the broker learns it from sudo (SUDO_UID/SUDO_USER). */
export interface Identity {
  readonly user: string;
  readonly uid: number;
  /** CI job id (BUILD_TAG, CI_JOB_ID) to label containers with, when the caller had one. */
  readonly ciJob?: string;
}

export const OWNER_LABEL = 'cida.owner';
export const UID_LABEL = 'cida.uid';
export const CI_JOB_LABEL = 'cida.ci-job';

function swapBytes(value: string): bigint | null {
  try {
    return parseMemSwapBytes(value);
  } catch (e) {
    if (e instanceof ValueError) return null;
    throw e;
  }
}

export function withForcedFlags(cmd: ParsedCommand, policy: Policy, identity?: Identity): ParsedCommand {
  if (cmd.command !== 'run') return cmd;
  const flags = { ...cmd.flags };
  flags.detach = ['true'];
  flags['publish-all'] = ['true'];
  const given = new Set((flags['security-opt'] ?? []).flatMap((v) => v.split(',')));
  const securityOpt = policy.run.securityOpt.filter((o) => !given.has(o));
  if (securityOpt.length > 0) flags['security-opt'] = [...(flags['security-opt'] ?? []), ...securityOpt];
  if (policy.run.capDrop.length > 0) flags['cap-drop'] = [...(flags['cap-drop'] ?? []), ...policy.run.capDrop];
  // A private cgroup namespace, also where the engine's default is the host's (cgroup v1 hosts).
  if (flags.cgroupns === undefined) flags.cgroupns = ['private'];
  if (flags['pids-limit'] === undefined) flags['pids-limit'] = [String(policy.run.pidsLimit)];
  if (flags.memory === undefined) flags.memory = [policy.run.memory];
  // No swap unless asked for: without --memory-swap (or with 0, "unset" to docker) docker would
  // allow as much swap again as memory.
  const swap = lastValue(flags, 'memory-swap');
  if (swap === undefined || swapBytes(swap) === 0n) flags['memory-swap'] = [lastValue(flags, 'memory') as string];
  if (flags.tmpfs) flags.tmpfs = flags.tmpfs.map((v) => tmpfsWithSize(v, policy));
  if (flags.mount) flags.mount = flags.mount.map((v) => mountWithTmpfsSize(v, policy));
  // Log rotation from the policy, with a driver that honours it (the daemon's default might not).
  const driver = lastValue(flags, 'log-driver');
  if (driver === undefined || driver === '') flags['log-driver'] = ['json-file'];
  const logKeys = new Set((flags['log-opt'] ?? []).map(logOptKey));
  const logOpts = [
    ...(logKeys.has('max-size') ? [] : [`max-size=${policy.run.logMaxSize}`]),
    ...(logKeys.has('max-file') ? [] : [`max-file=${policy.run.logMaxFile}`]),
  ];
  if (logOpts.length > 0) flags['log-opt'] = [...(flags['log-opt'] ?? []), ...logOpts];
  if (identity) {
    const labels = [`${OWNER_LABEL}=${identity.user}`, `${UID_LABEL}=${identity.uid}`];
    if (identity.ciJob) labels.push(`${CI_JOB_LABEL}=${identity.ciJob}`);
    flags.label = [...(flags.label ?? []), ...labels];
  }
  return { ...cmd, flags };
}
