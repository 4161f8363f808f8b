// The host's security policy: one JSON file (/etc/cida-docker/policy.json), typed and validated.
// A missing file means these defaults, which are the secure choice: no trusted registry, so no
// image is allowed until an administrator names one.
import { parseBytes, ValueError } from '../docker/values.js';

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
    /** --pids-limit forced when the developer gives none. */
    readonly pidsLimit: number;
    /** The highest --pids-limit a developer may ask for. */
    readonly maxPidsLimit: number;
    /** -m/--memory forced when the developer gives none (a docker size: "1g"). */
    readonly memory: string;
    /** The highest -m/--memory (and --memory-swap, which is memory plus swap) a developer may ask for. */
    readonly maxMemory: string;
    /** The highest --shm-size. */
    readonly maxShmSize: string;
    /** The highest size of one tmpfs (--tmpfs PATH:size=…, --mount type=tmpfs,tmpfs-size=…); a tmpfs without a size gets this one. */
    readonly maxTmpfsSize: string;
    /** --log-opt max-size forced on every container, and the highest a developer may give. */
    readonly logMaxSize: string;
    /** --log-opt max-file forced on every container, and the highest a developer may give. */
    readonly logMaxFile: number;
    /** The most host ports one container may take (--expose and -p ranges, the image's EXPOSE with the forced -P). */
    readonly maxPortsPerContainer: number;
    /** The most running containers one developer may have (enforced by the broker at run/start). */
    readonly maxContainersPerUser: number;
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
  run: {
    requireApprovedImage: true,
    securityOpt: ['no-new-privileges'],
    capDrop: ['ALL'],
    pidsLimit: 512,
    maxPidsLimit: 4096,
    memory: '1g',
    maxMemory: '4g',
    maxShmSize: '1g',
    maxTmpfsSize: '1g',
    // The local log driver's own defaults: 100 MB of logs per container at most.
    logMaxSize: '20m',
    logMaxFile: 5,
    maxPortsPerContainer: 16,
    maxContainersPerUser: 20,
  },
  build: { maxContextBytes: 1024 * 1024 * 1024 },
  engine: { docker: '/usr/local/bin/docker' },
  lint: { severities: {} },
};

/** A policy file that cannot be used: exit 78, naming the key. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

type Shape = 'string' | 'number' | 'boolean' | 'strings' | 'size' | { [key: string]: Shape } | 'severities';

const SHAPE: { [key: string]: Shape } = {
  trustedRegistries: 'strings',
  publishedPorts: { min: 'number', max: 'number' },
  admins: 'strings',
  reviewers: 'strings',
  run: {
    requireApprovedImage: 'boolean',
    securityOpt: 'strings',
    capDrop: 'strings',
    pidsLimit: 'number',
    maxPidsLimit: 'number',
    memory: 'size',
    maxMemory: 'size',
    maxShmSize: 'size',
    maxTmpfsSize: 'size',
    logMaxSize: 'size',
    logMaxFile: 'number',
    maxPortsPerContainer: 'number',
    maxContainersPerUser: 'number',
  },
  build: { maxContextBytes: 'number' },
  engine: { docker: 'string' },
  lint: { severities: 'severities' },
};

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/**
 * A size in the policy, as docker reads `-m 512m` (go-units RAMInBytes: binary units): a whole
 * positive number of bytes. The policy's sizes are read with the reader the rules use, so a
 * ceiling and a developer's value cannot be read differently.
 */
export function policyBytes(value: string): bigint {
  try {
    const n = parseBytes(value);
    if (n > 0n) return n;
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
  }
  throw new PolicyError(`"${value}" is not a positive size docker reads (write it like "512m" or "4g")`);
}

function validate(value: unknown, shape: Shape, at: string): void {
  if (shape === 'size') {
    if (typeof value !== 'string')
      throw new PolicyError(`policy key "${at}" must be a size string such as "512m", got ${typeOf(value)}`);
    try {
      policyBytes(value);
    } catch (e) {
      throw new PolicyError(`policy key "${at}": ${(e as Error).message}`);
    }
    return;
  }
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
  if (typeOf(value) !== 'object')
    throw new PolicyError(`policy key "${at || '(top level)'}" must be an object, got ${typeOf(value)}`);
  for (const [k, v] of Object.entries(value as object)) {
    const key = at ? `${at}.${k}` : k;
    const sub = shape[k];
    if (sub === undefined) throw new PolicyError(`unknown policy key "${key}"`);
    validate(v, sub, key);
  }
}

/** docker refuses a memory limit below 6 MiB ("Minimum memory limit allowed is 6MB"). */
const DOCKER_MIN_MEMORY = 6n * 1024n * 1024n;

/** The defaults must lie within the ceilings, and the ceilings must be real limits. */
function checkCeilings(run: Policy['run']): void {
  const within = (key: string, lo: number, hi: number, value: number, why = '') => {
    if (!(value >= lo && value <= hi))
      throw new PolicyError(`policy key "run.${key}" must be from ${lo} to ${hi}${why} (got ${value})`);
  };
  within('maxPidsLimit', 1, 4_194_304, run.maxPidsLimit);
  within('pidsLimit', 1, run.maxPidsLimit, run.pidsLimit, ' (run.maxPidsLimit); 0 or less would mean no process limit');
  within('logMaxFile', 1, 1000, run.logMaxFile);
  within('maxPortsPerContainer', 0, 65535, run.maxPortsPerContainer);
  within('maxContainersPerUser', 1, 100_000, run.maxContainersPerUser);
  const memory = policyBytes(run.memory);
  if (memory < DOCKER_MIN_MEMORY)
    throw new PolicyError(`policy key "run.memory" must be at least 6m (docker's minimum), got "${run.memory}"`);
  if (memory > policyBytes(run.maxMemory))
    throw new PolicyError(
      `policy key "run.memory" ("${run.memory}") must not be above run.maxMemory ("${run.maxMemory}")`,
    );
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
  checkCeilings(policy.run);
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
