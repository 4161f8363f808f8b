import { isNetworkLongSyntax, type NetworkAttachment, parseNetwork } from '../docker/values.js';
import { type DockerReading, readLikeDocker, shown } from './read-like-docker.js';
import type { Finding, Rule } from './rule.js';

/**
 * The network a `run --network` value names, read as docker's CLI reads it (parseNetwork:
 * opts.NetworkOpt.Set, the parser's own check): the long syntax when the value contains `\w+=\w+`
 * anywhere (fields lower-cased, trimmed, the last `name=` wins), else the value itself.
 */
export function readNetworkOpt(value: string): DockerReading<NetworkAttachment> {
  // Only the long syntax is CSV; a plain name with a line break is refused by networkAllowed.
  if (!isNetworkLongSyntax(value)) return { ok: true, value: parseNetwork(value) };
  return readLikeDocker(value, parseNetwork);
}

/**
 * Networks a container may join: docker's default, bridge and none, and user-defined networks by
 * a plain name. Allowlisted, not blocklisted: `host` in any case (the engine resolves names
 * exactly, but a wrapper that compares case-insensitively to a blocklist is one bug from a
 * bypass), `container:<id>` and anything with characters a network name cannot have are refused.
 */
export function networkAllowed(target: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target) && target.toLowerCase() !== 'host';
}

/** Values each namespace flag may take; anything else (host, container:<id>, …) is refused. */
const NAMESPACE_VALUES: Readonly<Record<string, readonly string[]>> = {
  pid: [''],
  uts: [''],
  userns: [''],
  // An explicit empty --cgroupns is the daemon's default mode (daemon_unix.go adaptContainerSettings),
  // which is `host` on cgroup v1 hosts; leaving the flag out gets cida-docker's forced `private`.
  cgroupns: ['private'],
  // The engine's IPC modes: "" (daemon default), none, private, shareable, host, container:<id>.
  // shareable only lets *other* containers join this one with --ipc=container:…, which is refused.
  ipc: ['', 'none', 'private', 'shareable'],
};

const NAMESPACE_WHAT: Readonly<Record<string, string>> = {
  pid: "PID namespace (see and signal the host's or that container's processes)",
  uts: 'UTS namespace (hostname and domain name of the host)',
  userns: "user namespace (turns off the daemon's user-namespace remapping)",
  cgroupns: "cgroup namespace (the host's cgroup tree)",
  ipc: 'IPC namespace (shared memory and semaphores)',
};

const MAC_WHY =
  "sets the container's MAC address: it can be another container's on the shared bridge (the engine does not check), which then receives that container's traffic";
const MAC_FIX = 'Leave the MAC address out; the engine gives every container its own.';

function networkFindings(value: string, longSyntax: boolean): Finding[] {
  const flag = `--network ${shown(value)}`;
  const r: DockerReading<Pick<NetworkAttachment, 'target' | 'macAddress'>> = longSyntax
    ? readNetworkOpt(value)
    : { ok: true, value: { target: value } };
  if (!r.ok) return [{ message: `${flag} cannot be read the way docker reads it (${r.error}); refused` }];
  const { target, macAddress } = r.value;
  const mac: Finding[] = macAddress === undefined ? [] : [{ message: `${flag}: mac-address ${MAC_WHY}`, fix: MAC_FIX }];
  if (networkAllowed(target)) return mac;
  const lower = target.toLowerCase();
  const why =
    lower === 'host'
      ? "joins the host's network namespace (every host interface and localhost service)"
      : lower.startsWith('container:')
        ? "joins another container's network namespace (its localhost, its traffic)"
        : 'is not default, bridge, none or the plain name of a user-defined network';
  const named = target === value ? '' : ` (network ${shown(target)})`;
  return [{ message: `${flag}${named} ${why}. ${rule.reason}` }, ...mac];
}

export const rule: Rule = {
  id: 'host-namespace',
  title: 'No host or foreign namespaces',
  reason:
    "Sharing the host's (or another container's) network, PID, IPC, UTS, user or cgroup namespace lets the container see and act on the host or on others' containers.",
  fix: 'Use the default namespaces; publish ports with -p/-P instead of --network host.',
  check(cmd) {
    const out: Finding[] = [];
    // run/create read --network as opts.NetworkOpt (long syntax); build's --network is a plain string.
    const longSyntax = cmd.command !== 'build';
    for (const v of cmd.flags.network ?? []) out.push(...networkFindings(v, longSyntax));
    for (const v of cmd.flags['mac-address'] ?? [])
      out.push({ message: `--mac-address ${shown(v)} ${MAC_WHY}`, fix: MAC_FIX });
    for (const [name, allowed] of Object.entries(NAMESPACE_VALUES)) {
      for (const v of cmd.flags[name] ?? []) {
        if (allowed.includes(v)) continue;
        const mode =
          v === 'host'
            ? "the host's"
            : v.startsWith('container:')
              ? "another container's"
              : v === ''
                ? "the daemon's default (the host's on cgroup v1 hosts)"
                : 'a non-default';
        out.push({
          message: `--${name} ${shown(v)} asks for ${mode} ${NAMESPACE_WHAT[name]}; allowed: ${allowed.map((a) => (a === '' ? '(unset)' : a)).join(', ')}`,
        });
      }
    }
    return out;
  },
};
