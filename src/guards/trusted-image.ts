// Images only from the trusted registry. Every image name a command hands the engine is read as
// docker reads it (src/docker/reference.ts: distribution/reference's ParseNormalizedNamed, and
// ParseAnyReference where docker accepts an image id) and its registry compared exactly with the
// policy's trustedRegistries: no case folding, no default-port equivalence, no suffix matching.
// Image ids (64 hex, `sha256:…`) are refused: any local image answers to them, whatever its
// provenance. A digest on a trusted name is fine.
//   run IMAGE · pull NAME · push NAME · tag SOURCE TARGET · build -t NAME… · build --cache-from
//   login SERVER (docker reads the server as a host: http(s):// and a path are dropped; no
//   server, docker.io, index.docker.io and https://index.docker.io/v1/ are Docker Hub, trusted
//   when the policy trusts docker.io). logout may name any registry: it removes the caller's own login.
import type { ParsedCommand } from '../docker/model.js';
import { wantsHelp } from '../docker/parse.js';
import {
  isFromRegistry,
  isImageId,
  parseAnyReference,
  parseImageReference,
  ReferenceError,
} from '../docker/reference.js';
import type { Policy } from '../policy/policy.js';
import type { Finding, Rule } from './rule.js';

function trusted(policy: Policy): string {
  return policy.trustedRegistries.length === 0
    ? 'none (the policy trusts no registry)'
    : policy.trustedRegistries.join(', ');
}

function fixFor(policy: Policy): string {
  const r = policy.trustedRegistries[0];
  return r === undefined
    ? 'Ask an administrator to name the trusted registry in the policy (trustedRegistries); until then no image is allowed.'
    : `Use an image from the trusted registry, fully qualified: ${r}/team/app:1.0.`;
}

/**
 * The finding for one image name, or null when it is trusted. `what` says where it came from
 * ("image", "--tag", "tag target"); `anyRef` accepts image ids (which are then refused as such).
 */
function imageFinding(
  what: string,
  name: string,
  policy: Policy,
  opts: { anyRef: boolean; noDigest?: boolean },
): Finding | null {
  let ref;
  try {
    ref = opts.anyRef ? parseAnyReference(name) : parseImageReference(name);
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return {
      message: `${what} ${JSON.stringify(name)}: not a valid image name to docker (${e.message})`,
      fix: fixFor(policy),
    };
  }
  if (isImageId(ref))
    return {
      message: `${what} ${name}: an image id names any local image, whatever its origin; name it by its trusted registry`,
      fix: fixFor(policy),
    };
  if (opts.noDigest && ref.digest !== undefined)
    return { message: `${what} ${name}: docker refuses to create a tag with a digest reference`, fix: fixFor(policy) };
  if (isFromRegistry(ref, policy.trustedRegistries)) return null;
  const registry = ref.domain === '' ? '(none)' : ref.domain;
  return {
    message: `${what} ${name}: reads as ${ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`}, from registry ${registry}, not a trusted registry (trusted: ${trusted(policy)})`,
    fix: fixFor(policy),
  };
}

/** registry.ConvertToHostname: drop http:// or https://, then everything from the first '/'. */
export function loginHost(server: string): string {
  let s = server;
  if (s.startsWith('http://')) s = s.slice('http://'.length);
  else if (s.startsWith('https://')) s = s.slice('https://'.length);
  const slash = s.indexOf('/');
  return slash < 0 ? s : s.slice(0, slash);
}

/** The names docker reads as Docker Hub in login/logout (registry.IndexServer and its hosts). */
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry a login/logout SERVER names, as image names spell it: `docker.io` for Docker Hub
 * (no server, `docker.io`, `index.docker.io`, `https://index.docker.io/v1/`), otherwise the host
 * (`https://registry.example.internal/v1/` → `registry.example.internal`).
 */
export function loginRegistry(server: string | undefined): string {
  if (server === undefined || server === '') return 'docker.io';
  const host = loginHost(server);
  return HUB_HOSTS.has(host) ? 'docker.io' : host;
}

function loginFindings(cmd: ParsedCommand, policy: Policy): Finding[] {
  // logout only removes the caller's own stored login: any registry is fine.
  if (cmd.command === 'logout') return [];
  const server = cmd.args[0];
  const registry = loginRegistry(server);
  if (policy.trustedRegistries.includes(registry)) return [];
  const hub = registry === 'docker.io';
  const named = server === undefined || server === '' ? 'login without a server' : `login ${server}`;
  return [
    {
      message: `${named}: ${hub ? 'that is Docker Hub (docker.io), which' : `registry ${registry}`} is not a trusted registry (trusted: ${trusted(policy)})`,
      fix:
        policy.trustedRegistries.length === 0
          ? 'Ask an administrator to name the trusted registry in the policy (trustedRegistries).'
          : `Log in to a trusted registry: cida-docker login ${policy.trustedRegistries[0]}.`,
    },
  ];
}

/** pflag's stringSlice: each value is one CSV record. Quotes and line breaks are refused outright. */
function cacheFromImages(value: string): string[] | null {
  if (value === '') return [];
  if (/["\r\n]/.test(value)) return null;
  return value.split(',');
}

export const rule: Rule = {
  id: 'trusted-image',
  title: 'Images from the trusted registry only',
  reason:
    "Only images from the organisation's trusted registry have been reviewed; anything else can contain anything.",
  fix: "Use an image from a trusted registry (see the policy's trustedRegistries), fully qualified: registry.example.internal/team/app:1.0.",
  check(cmd, policy) {
    const out: (Finding | null)[] = [];
    // `run --help`, `tag --help`: docker prints help, so a missing image is no violation (an image
    // that is given is still checked).
    const help = wantsHelp(cmd);
    switch (cmd.command) {
      case 'run': {
        const image = cmd.args[0];
        if (image === undefined) {
          if (!help) out.push({ message: 'run needs an image' });
        } else out.push(imageFinding('image', image, policy, { anyRef: true }));
        break;
      }
      case 'pull':
      case 'push':
        if (cmd.args.length === 0 && !help) out.push({ message: `${cmd.command} needs an image name` });
        for (const a of cmd.args) out.push(imageFinding(`${cmd.command}`, a, policy, { anyRef: false }));
        break;
      case 'tag': {
        const [source, target] = cmd.args;
        if ((source === undefined || target === undefined) && !help)
          out.push({ message: 'tag needs a source and a target image' });
        if (source !== undefined) out.push(imageFinding('tag source', source, policy, { anyRef: true }));
        if (target !== undefined)
          out.push(imageFinding('tag target', target, policy, { anyRef: false, noDigest: true }));
        break;
      }
      case 'build':
        for (const t of cmd.flags.tag ?? []) out.push(imageFinding('--tag', t, policy, { anyRef: false }));
        for (const c of cmd.flags['cache-from'] ?? []) {
          const images = cacheFromImages(c);
          if (images === null)
            out.push({
              message: `--cache-from ${JSON.stringify(c)}: quoted or multi-line values are not accepted`,
              fix: fixFor(policy),
            });
          else for (const i of images) out.push(imageFinding('--cache-from', i, policy, { anyRef: true }));
        }
        break;
      case 'login':
      case 'logout':
        // `login --help` names no server; it does not mean Docker Hub.
        if (!(help && cmd.args.length === 0)) out.push(...loginFindings(cmd, policy));
        break;
      default:
        break;
    }
    return out.filter((f): f is Finding => f !== null);
  },
};
