// The host's security policy: one JSON file (/etc/cida-docker/policy.json), typed and validated.
// A missing file means these defaults, which are the secure choice: no trusted registry, so no
// image is allowed until an administrator names one.

export interface Policy {
  /** Registry hosts (with port when not 443) whose images may be run, pulled, pushed, built. */
  readonly trustedRegistries: readonly string[];
  /** Host ports a container may publish on. */
  readonly publishedPorts: { readonly min: number; readonly max: number };
  /** Users and `%groups` who see and act on every container. */
  readonly admins: readonly string[];
  /** Users and `%groups` who review Dockerfiles and read the audit trail. */
  readonly reviewers: readonly string[];
  readonly run: {
    readonly requireApprovedImage: boolean;
    readonly securityOpt: readonly string[];
    readonly capDrop: readonly string[];
    readonly pidsLimit: number;
    readonly memory?: string;
  };
  readonly build: { readonly maxContextBytes: number };
  readonly engine: { readonly docker: string };
  readonly lint: { readonly severities: Readonly<Record<string, 'error' | 'warning' | 'info' | 'off'>> };
}

export const POLICY_PATH = '/etc/cida-docker/policy.json';

export const DEFAULT_POLICY: Policy = {
  trustedRegistries: [],
  publishedPorts: { min: 49153, max: 65535 },
  admins: [],
  reviewers: [],
  run: { requireApprovedImage: true, securityOpt: ['no-new-privileges'], capDrop: ['ALL'], pidsLimit: 512 },
  build: { maxContextBytes: 1024 * 1024 * 1024 },
  engine: { docker: '/usr/local/bin/docker' },
  lint: { severities: {} },
};

/** A policy file that cannot be used: exit 78, naming the key. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

type Shape = 'string' | 'number' | 'boolean' | 'strings' | { [key: string]: Shape } | 'severities';

const SHAPE: { [key: string]: Shape } = {
  trustedRegistries: 'strings',
  publishedPorts: { min: 'number', max: 'number' },
  admins: 'strings',
  reviewers: 'strings',
  run: { requireApprovedImage: 'boolean', securityOpt: 'strings', capDrop: 'strings', pidsLimit: 'number', memory: 'string' },
  build: { maxContextBytes: 'number' },
  engine: { docker: 'string' },
  lint: { severities: 'severities' },
};

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

function validate(value: unknown, shape: Shape, at: string): void {
  if (shape === 'strings') {
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string'))
      throw new PolicyError(`policy key "${at}" must be an array of strings, got ${typeOf(value)}`);
    return;
  }
  if (shape === 'severities') {
    if (typeOf(value) !== 'object') throw new PolicyError(`policy key "${at}" must be an object`);
    for (const [k, v] of Object.entries(value as object))
      if (typeof v !== 'string' || !SEVERITIES.has(v))
        throw new PolicyError(`policy key "${at}.${k}" must be one of error, warning, info, off`);
    return;
  }
  if (typeof shape === 'string') {
    if (typeof value !== shape) throw new PolicyError(`policy key "${at}" must be a ${shape}, got ${typeOf(value)}`);
    if (shape === 'number' && !Number.isSafeInteger(value))
      throw new PolicyError(`policy key "${at}" must be a whole number`);
    return;
  }
  if (typeOf(value) !== 'object') throw new PolicyError(`policy key "${at || '(top level)'}" must be an object, got ${typeOf(value)}`);
  for (const [k, v] of Object.entries(value as object)) {
    const key = at ? `${at}.${k}` : k;
    const sub = shape[k];
    if (sub === undefined) throw new PolicyError(`unknown policy key "${key}"`);
    validate(v, sub, key);
  }
}

/** Validates parsed JSON and fills in defaults for absent keys. */
export function policyFromJson(json: unknown): Policy {
  validate(json, SHAPE, '');
  const p = json as Partial<Policy>;
  const d = DEFAULT_POLICY;
  const policy: Policy = {
    trustedRegistries: p.trustedRegistries ?? d.trustedRegistries,
    publishedPorts: { ...d.publishedPorts, ...p.publishedPorts },
    admins: p.admins ?? d.admins,
    reviewers: p.reviewers ?? d.reviewers,
    run: { ...d.run, ...p.run },
    build: { ...d.build, ...p.build },
    engine: { ...d.engine, ...p.engine },
    lint: { ...d.lint, ...p.lint },
  };
  const { min, max } = policy.publishedPorts;
  if (!(min >= 1 && max <= 65535 && min <= max))
    throw new PolicyError(`policy key "publishedPorts" must satisfy 1 <= min <= max <= 65535 (got ${min}–${max})`);
  return policy;
}

/** Parses policy text; `source` names the file in error messages. */
export function parsePolicy(text: string, source: string): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    return policyFromJson(json);
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(`${source}: ${e.message}`);
    throw e;
  }
}
