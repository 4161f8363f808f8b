// What the policy adds to every allowed command before it reaches the engine: for `run`, the
// detached-service contract (-d -P), the hardening defaults, a private cgroup namespace and the
// owner labels.
import type { ParsedCommand } from '../docker/model.js';
import type { Policy } from '../policy/policy.js';

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
  if (flags['pids-limit'] === undefined && policy.run.pidsLimit > 0) flags['pids-limit'] = [String(policy.run.pidsLimit)];
  if (flags.memory === undefined && policy.run.memory !== undefined) flags.memory = [policy.run.memory];
  if (identity) {
    const labels = [`${OWNER_LABEL}=${identity.user}`, `${UID_LABEL}=${identity.uid}`];
    if (identity.ciJob) labels.push(`${CI_JOB_LABEL}=${identity.ciJob}`);
    flags.label = [...(flags.label ?? []), ...labels];
  }
  return { ...cmd, flags };
}
