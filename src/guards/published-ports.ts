// Explicit host ports: every `-p` spec is read as the docker 28.2.2 CLI reads it —
// convertToStandardNotation (cli/command/container/opts.go) for the long `published=…,target=…`
// syntax, then go-connections v0.5.0 nat.ParsePortSpec (`[ip:]host:container[/proto]`, ranges,
// `[::1]` IPv6) — and every host port it could bind must lie in the policy's range. No host port
// (`80`, `:80`, `127.0.0.1::80`, `target=80`) means a random port from the engine's ephemeral
// range, which the broker verifies after start. A spec docker would reject is refused (the parser
// already makes it a usage error). The reading itself is src/docker/values.ts's parsePortSpec.
//
// How many host ports one container takes is capped too (policy run.maxPortsPerContainer): with
// the forced -P every exposed port gets a host port, so `--expose 20000-20999` alone took 1 000.
// The argv's share is counted here; the image's own EXPOSE is only known after `docker create`,
// where the broker counts the created container's ports with portCount below.
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
    return [
      {
        message: `-p ${raw}: docker rejects this port spec (${(e as Error).message})`,
        fix: 'Write -p [IP:]HOST_PORT:CONTAINER_PORT[/PROTO], or -p CONTAINER_PORT for a random host port.',
      },
    ];
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

type Range = readonly [number, number];

/**
 * The container ports one `--expose` value names, as the docker CLI reads it (nat.SplitProtoPort,
 * then nat.ParsePortRange, which reads the first two '-' parts): `80`, `80/udp`, `8000-8099/tcp`.
 * The protocol is as written (docker does not lower-case it here), so a count over it is never
 * below docker's. Null for what docker rejects (the parser already makes it a usage error).
 */
export function exposedRange(value: string): { proto: string; range: Range } | null {
  if (value.includes(':')) return null;
  const parts = value.split('/');
  if (value === '' || parts[0] === '') return null;
  const proto = parts.length === 1 || parts[1] === '' ? 'tcp' : parts[1];
  const ends = parts[0].split('-');
  const num = (s: string | undefined) =>
    s !== undefined && /^[0-9]+$/.test(s) && Number(s) <= 65535 ? Number(s) : null;
  const lo = num(ends[0]);
  const hi = ends.length === 1 ? lo : num(ends[1]);
  if (lo === null || hi === null || hi < lo) return null;
  return { proto, range: [lo, hi] };
}

/** Sorted, merged ranges (so a count never enumerates ports: 2 MB of argv must not cost minutes). */
function union(ranges: readonly Range[]): Range[] {
  const out: [number, number][] = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const size = (rs: readonly Range[]): number => rs.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);

/** How many ports two merged range lists share. */
function overlap(a: readonly Range[], b: readonly Range[]): number {
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) n += hi - lo + 1;
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return n;
}

function grouped(entries: readonly { proto: string; range: Range }[]): Map<string, Range[]> {
  const m = new Map<string, Range[]>();
  for (const e of entries) {
    const list = m.get(e.proto);
    if (list) list.push(e.range);
    else m.set(e.proto, [e.range]);
  }
  return new Map([...m].map(([k, v]) => [k, union(v)]));
}

/**
 * The host ports a `run` argv asks for: one per container port of every `-p` spec (a spec with a
 * host range and one container port takes one), plus one per `--expose`d port no `-p` publishes
 * (the forced -P gives each a host port). Specs docker rejects count 0 (the parser refuses them).
 */
export function argvPortCount(flags: {
  readonly publish?: readonly string[];
  readonly expose?: readonly string[];
}): number {
  const published: { proto: string; range: Range }[] = [];
  let count = 0;
  for (const raw of flags.publish ?? []) {
    let spec: PortSpec;
    try {
      spec = parsePortSpec(raw);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      continue;
    }
    const range = spec.containerRange.map(Number) as [number, number];
    count += range[1] - range[0] + 1;
    published.push({ proto: spec.proto, range });
  }
  const byProto = grouped(published);
  const exposed = grouped((flags.expose ?? []).flatMap((e) => exposedRange(e) ?? []));
  // Compared by the protocol exactly as written: `--expose 80/TCP` is not the `80/tcp` of a -p.
  for (const [proto, ranges] of exposed) count += size(ranges) - overlap(ranges, byProto.get(proto) ?? []);
  return count;
}

/**
 * The host ports a created container takes, from `docker inspect`: Config.ExposedPorts (the
 * image's EXPOSE, --expose and -p merged) and HostConfig.PortBindings. Each exposed or bound port
 * takes one host port per binding, at least one (the forced -P publishes every exposed port).
 * Anything that is not an object counts as no ports; bindings that are not arrays count as one.
 */
export function portCount(exposedPorts: unknown, portBindings?: unknown): number {
  const keys = (o: unknown): string[] =>
    o !== null && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : [];
  const bindings = (portBindings !== null && typeof portBindings === 'object' ? portBindings : {}) as Record<
    string,
    unknown
  >;
  let count = 0;
  for (const key of new Set([...keys(exposedPorts), ...keys(portBindings)])) {
    const b = Object.hasOwn(bindings, key) ? bindings[key] : undefined;
    count += Array.isArray(b) && b.length > 1 ? b.length : 1;
  }
  return count;
}

/**
 * The refusal when a container would take more host ports than the policy allows (null when it
 * may): `what` says where the ports come from, e.g. "the image's EXPOSE and -p".
 */
export function portCountProblem(count: number, policy: Policy, what: string): string | null {
  const max = policy.run.maxPortsPerContainer;
  if (count <= max) return null;
  return `${what} would take ${count} host ports, above this host's ceiling of ${max} per container (policy run.maxPortsPerContainer)`;
}

export const rule: Rule = {
  id: 'published-ports',
  title: 'Published ports in the allowed range',
  reason:
    "Host ports below the policy range belong to the host's own services; the range is shared by everyone, so one container may take only a few of its ports (policy run.maxPortsPerContainer).",
  fix: 'Publish to a port inside the allowed range, or let docker pick one with -P / -p CONTAINER_PORT.',
  check(cmd, policy) {
    if (cmd.command !== 'run') return [];
    const out = (cmd.flags.publish ?? []).flatMap((p) => publishFindings(p, policy));
    const problem = portCountProblem(argvPortCount(cmd.flags), policy, '--expose and -p/--publish');
    if (problem)
      out.push({
        message: problem,
        fix: `Publish only the ports the service serves (at most ${policy.run.maxPortsPerContainer}), without wide --expose or -p ranges.`,
      });
    return out;
  },
};
