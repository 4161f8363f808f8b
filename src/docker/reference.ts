// Image references read the way docker reads them: a port of github.com/distribution/reference
// v0.6.0 (the version docker 28.2.2 vendors) — ParseNormalizedNamed, ParseAnyReference and the
// grammar in its regexp.go — plus go-digest v1.0.0's digest validation.
//
// `alpine` is docker.io/library/alpine; a first path component is a registry host only when it
// contains '.' or ':', is 'localhost', or has upper case. The registry host is kept exactly as
// written (docker does not lower-case it, nor drop a default port), so trust is compared exactly.

export interface ImageReference {
  /**
   * Registry host, with port when given: 'docker.io', 'registry.example.internal:5000'. Empty
   * when docker's grammar reads the whole name as a path (e.g. `foo_bar.com/x`, whose first
   * component is not a valid host): docker then has no registry for it either.
   */
  readonly domain: string;
  /** Repository path inside the registry: 'library/alpine', 'team/app'. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** A reference docker reads as an image id (ParseAnyReference's digestReference), not a name. */
export interface ImageId {
  readonly id: string;
}

// regexp.go, term by term. Go's regexp and JavaScript's agree on these patterns (ASCII classes,
// leftmost-first alternation), so the captures are the same.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_IDENTIFIER = /^[a-f0-9]{64}$/;
const ANCHORED_DIGEST = new RegExp(`^${digestPat}$`);

/** reference.RepositoryNameTotalLengthMax: applies to the path (v0.6.0), not domain + path. */
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

/** go-digest v1.0.0: the algorithms it knows, and the length of their lower-case hex encoding. */
const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export class ReferenceError extends Error {
  override readonly name = 'ReferenceError';
}

/** go-digest's Digest.Validate: null when valid, else docker's error text. */
export function digestProblem(s: string): string | null {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) return 'invalid checksum digest format';
  const algorithm = s.slice(0, i);
  const encoded = s.slice(i + 1);
  const length = Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm) ? DIGEST_HEX_LENGTHS[algorithm] : undefined;
  if (length === undefined)
    return ANCHORED_DIGEST.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  // Algorithm.Validate: the length first, then lower-case hex.
  if (encoded.length !== length) return 'invalid checksum digest length';
  return /^[a-f0-9]+$/.test(encoded) ? null : 'invalid checksum digest format';
}

/** splitDockerDomain (normalize.go). */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

/** reference.Parse (reference.go): the grammar, the length limit, the digest check. */
function parse(s: string): ImageReference {
  const m = REFERENCE.exec(s);
  if (m === null) {
    if (s === '') throw new ReferenceError('repository name must have at least one component');
    if (REFERENCE.test(s.toLowerCase())) throw new ReferenceError('repository name must be lowercase');
    throw new ReferenceError('invalid reference format');
  }
  const name = m[1] as string;
  const n = ANCHORED_NAME.exec(name);
  const domain = n?.[1] ?? '';
  const path = n ? (n[2] as string) : name;
  if (path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX)
    throw new ReferenceError(`repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`);
  const tag = m[2];
  const digest = m[3];
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== null) throw new ReferenceError(problem);
  }
  return { domain, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * ParseNormalizedNamed: parses and normalises an image name (what pull, push, tag's target and
 * build -t accept); throws ReferenceError with docker's reason.
 */
export function parseImageReference(input: string): ImageReference {
  if (ANCHORED_IDENTIFIER.test(input))
    throw new ReferenceError(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  const [domain, remainder] = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote)
    throw new ReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  return parse(`${domain}/${remainder}`);
}

/**
 * ParseAnyReference: what `run`'s image and `tag`'s source accept. A 64-hex string or a bare
 * digest (`sha256:…`) is an image id (any local image, whatever its name); anything else is a
 * name, parsed as parseImageReference does.
 */
export function parseAnyReference(input: string): ImageReference | ImageId {
  if (ANCHORED_IDENTIFIER.test(input)) return { id: `sha256:${input}` };
  if (digestProblem(input) === null) return { id: input };
  return parseImageReference(input);
}

export function isImageId(ref: ImageReference | ImageId): ref is ImageId {
  return 'id' in ref;
}

/** 'registry.example.internal/team/app:1.0', the fully qualified form docker shows. */
export function formatImageReference(ref: ImageReference): string {
  const name = ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** True when the reference's registry is one of `registries`, compared exactly. */
export function isFromRegistry(ref: ImageReference, registries: readonly string[]): boolean {
  return ref.domain !== '' && registries.includes(ref.domain);
}
