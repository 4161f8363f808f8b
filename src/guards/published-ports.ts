// Explicit host ports: every `-p` spec is read as the docker 28.2.2 CLI reads it —
// convertToStandardNotation (cli/command/container/opts.go) for the long `published=…,target=…`
// syntax, then go-connections v0.5.0 nat.ParsePortSpec (`[ip:]host:container[/proto]`, ranges,
// `[::1]` IPv6) — and every host port it could bind must lie in the policy's range. No host port
// (`80`, `:80`, `127.0.0.1::80`, `target=80`) means a random port from the engine's ephemeral
// range, which the broker verifies after start. A spec docker would reject is refused (the parser
// already makes it a usage error). The reading itself is src/docker/values.ts's parsePortSpec.
import { parsePortSpec, type PortSpec, ValueError } from '../docker/values.js';
import type { Policy } from '../policy/policy.js';
import type { Finding, Rule } from './rule.js';

function publishFindings(raw: string, policy: Policy): Finding[] {
  const { min, max } = policy.publishedPorts;
  let spec: PortSpec;
  try {
    spec = parsePortSpec(raw);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    return [{ message: `-p ${raw}: docker rejects this port spec (${(e as Error).message})`, fix: 'Write -p [IP:]HOST_PORT:CONTAINER_PORT[/PROTO], or -p CONTAINER_PORT for a random host port.' }];
  }
  if (spec.hostRange === null) return [];
  const [lo, hi] = spec.hostRange.map(Number) as [number, number];
  const container = Number(spec.containerRange[0]);
  if (lo >= min && hi <= max) return [];
  const what = lo === hi ? `host port ${lo}` : `host ports ${lo}-${hi}`;
  return [
    {
      message: `-p ${raw}: ${what} ${lo === 0 ? '(0: an explicit port, not "random") ' : ''}outside the allowed range ${min}-${max}`,
      fix: `Publish to a host port from ${min} to ${max} (-p ${min}:${container}), or give only the container port (-p ${container}) and let docker pick one.`,
    },
  ];
}

export const rule: Rule = {
  id: 'published-ports',
  title: "Published ports in the allowed range",
  reason: "Host ports below the policy range belong to the host's own services.",
  fix: "Publish to a port inside the allowed range, or let docker pick one with -P / -p CONTAINER_PORT.",
  check(cmd, policy) {
    if (cmd.command !== 'run') return [];
    return (cmd.flags.publish ?? []).flatMap((p) => publishFindings(p, policy));
  },
};
