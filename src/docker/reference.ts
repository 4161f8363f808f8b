// Image references read the way docker reads them (github.com/distribution/reference:
// ParseNormalizedNamed). `alpine` is docker.io/library/alpine; a first component is a registry
// host only when it contains '.' or ':' or is 'localhost' or has upper case. The registry host is
// kept exactly as written (docker does not lower-case it), so trust is compared exactly.

export interface ImageReference {
  /** Registry host, with port when given: 'docker.io', 'registry.example.internal:5000'. */
  readonly domain: string;
  /** Repository path inside the registry: 'library/alpine', 'team/app'. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX64 = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export class ReferenceError extends Error {
  override readonly name = 'ReferenceError';
}

/** Parses and normalises an image reference; throws ReferenceError with docker's reason. */
export function parseImageReference(input: string): ImageReference {
  if (HEX64.test(input))
    throw new ReferenceError(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ReferenceError(`invalid reference format: bad digest in "${input}"`);
  }
  // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ReferenceError(`invalid reference format: bad tag in "${input}"`);
  }
  let domain: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = 'docker.io';
    path = rest;
  } else {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path.toLowerCase() !== path)
    throw new ReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!DOMAIN.test(domain)) throw new ReferenceError(`invalid reference format: bad registry host in "${input}"`);
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c)))
    throw new ReferenceError(`invalid reference format: bad repository name in "${input}"`);
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX)
    throw new ReferenceError(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  return { domain, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** 'registry.example.internal/team/app:1.0', the fully qualified form docker shows. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** True when the reference's registry is one of `registries`, compared exactly. */
export function isFromRegistry(ref: ImageReference, registries: readonly string[]): boolean {
  return registries.includes(ref.domain);
}
