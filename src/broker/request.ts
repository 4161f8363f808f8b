// The request the front end hands to the broker: one JSON object in the CIDA_DOCKER_REQUEST
// environment variable (kept by the sudo rule's env_keep), never on sudo's command line.
// Everything in it comes from the developer and is untrusted: the broker validates its shape
// here and re-checks its meaning with the rulebook.
import { type BuildRequest, parseBuildRequest } from './build-request.js';

/** Linux refuses a single environment string longer than this (MAX_ARG_STRLEN). */
export const MAX_REQUEST_BYTES = 128 * 1024 - 64;

export interface DockerRequest {
  readonly v: 1;
  readonly kind: 'docker';
  /** The docker argv after the program name, as the developer typed it. */
  readonly argv: readonly string[];
  /** The developer's working directory: recorded in the audit line, never used as a path. */
  readonly cwd: string;
  /** CI job id from BUILD_TAG / CI_JOB_ID, to label containers with. */
  readonly ciJob?: string;
  /** Values for `-e NAME` (no '=') from the developer's environment, which the broker cannot see. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A registry credential the front end read, as the developer, from the `auths` entry of the
   * registry named in a push or pull in the caller's own DOCKER_CONFIG (Jenkins' per-block login):
   * used for that one call only. Never written to the audit trail.
   */
  readonly auth?: { readonly registry: string; readonly auth: string };
}

export interface AuditRequest {
  readonly v: 1;
  readonly kind: 'audit';
  readonly cwd: string;
  /** Only lines of this user. */
  readonly user?: string;
  /** Only lines at or after this time: ISO 8601, or a duration back from now (30m, 2h, 7d). */
  readonly since?: string;
}

export const APPROVAL_ACTIONS = ['request', 'list', 'show', 'approve', 'reject', 'revoke'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

/**
 * `cida-docker approval …`. Which fields each action takes (any other field is an error):
 *   request: dockerfile (the file's bytes, base64, at most MAX_DOCKERFILE_TEXT bytes), repo, note?, file?
 *   list: state?      show: id      approve: id, note?      reject/revoke: id, reason
 */
export interface ApprovalRequest {
  readonly v: 1;
  readonly kind: 'approval';
  readonly cwd: string;
  readonly action: ApprovalAction;
  /** 4 to 64 hex digits: an approval id or a unique prefix of one. */
  readonly id?: string;
  /** base64 of the Dockerfile's exact bytes. */
  readonly dockerfile?: string;
  /** The Dockerfile's name as the developer gave it: shown in findings only, never opened. */
  readonly file?: string;
  readonly repo?: string;
  readonly note?: string;
  readonly reason?: string;
  readonly state?: 'pending' | 'approved' | 'rejected' | 'revoked';
}

/** Bytes of Dockerfile a request may carry (base64 grows it by 4/3; the request limit is MAX_REQUEST_BYTES). */
export const MAX_DOCKERFILE_TEXT = 64 * 1024;
const MAX_NOTE = 2000;
const APPROVAL_FIELDS: Record<ApprovalAction, { required: readonly string[]; optional: readonly string[] }> = {
  request: { required: ['dockerfile', 'repo'], optional: ['note', 'file'] },
  list: { required: [], optional: ['state'] },
  show: { required: ['id'], optional: [] },
  approve: { required: ['id'], optional: ['note'] },
  reject: { required: ['id', 'reason'], optional: [] },
  revoke: { required: ['id', 'reason'], optional: [] },
};

/**
 * Text a person will read on another person's terminal: no control characters (escape sequences,
 * carriage returns) other than newline and tab, and no bidirectional overrides that would show
 * one thing and mean another.
 */
function checkHumanText(key: string, v: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(v))
    throw new RequestError(
      `request field "${key}" contains control or bidirectional-override characters; write plain text`,
    );
  return v;
}

function parseApprovalRequest(json: Record<string, unknown>, cwd: string): ApprovalRequest {
  const action = json.action;
  if (typeof action !== 'string' || !(APPROVAL_ACTIONS as readonly string[]).includes(action))
    throw new RequestError(`request field "action" must be one of ${APPROVAL_ACTIONS.join(', ')}`);
  const spec = APPROVAL_FIELDS[action as ApprovalAction];
  onlyKeys(json, ['v', 'kind', 'cwd', 'action', ...spec.required, ...spec.optional]);
  for (const k of spec.required)
    if (json[k] === undefined) throw new RequestError(`request field "${k}" is required for ${action}`);
  const id = str(json, 'id', 64, true);
  if (id !== undefined && !/^[0-9a-fA-F]{4,64}$/.test(id))
    throw new RequestError(
      `"${id.slice(0, 80)}" is not an approval id: use 4 to 64 hex digits, as \`cida-docker approval list\` shows them`,
    );
  const dockerfile = str(json, 'dockerfile', Math.ceil(MAX_DOCKERFILE_TEXT / 3) * 4, true);
  if (dockerfile !== undefined) {
    if (
      !/^[A-Za-z0-9+/]*={0,2}$/.test(dockerfile) ||
      Buffer.from(dockerfile, 'base64').toString('base64') !== dockerfile
    )
      throw new RequestError('request field "dockerfile" must be the file\'s bytes in canonical base64');
    if (dockerfile === '') throw new RequestError('the Dockerfile is empty');
  }
  const repo = str(json, 'repo', 255, true);
  if (repo !== undefined && !/^[\x21-\x7e]+$/.test(repo))
    throw new RequestError('request field "repo" must be printable ASCII without spaces (host[:port]/path)');
  const note = str(json, 'note', MAX_NOTE, true);
  const reason = str(json, 'reason', MAX_NOTE, true);
  const file = str(json, 'file', 4096, true);
  const state = str(json, 'state', 16, true);
  if (state !== undefined && !['pending', 'approved', 'rejected', 'revoked'].includes(state))
    throw new RequestError('request field "state" must be pending, approved, rejected or revoked');
  if (reason !== undefined && reason.trim() === '') throw new RequestError(`a reason is required to ${action}`);
  return {
    v: 1,
    kind: 'approval',
    cwd,
    action: action as ApprovalAction,
    ...(id !== undefined && { id: id.toLowerCase() }),
    ...(dockerfile !== undefined && { dockerfile }),
    ...(file !== undefined && { file: checkHumanText('file', file) }),
    ...(repo !== undefined && { repo }),
    ...(note !== undefined && { note: checkHumanText('note', note) }),
    ...(reason !== undefined && { reason: checkHumanText('reason', reason) }),
    ...(state !== undefined && { state: state as ApprovalRequest['state'] }),
  };
}

export type BrokerRequest = DockerRequest | AuditRequest | ApprovalRequest | BuildRequest;

export class RequestError extends Error {
  override readonly name = 'RequestError';
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string, max: number, optional: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new RequestError(`request field "${key}" must be a string`);
  if (v.length > max) throw new RequestError(`request field "${key}" is too long`);
  if (v.includes('\0')) throw new RequestError(`request field "${key}" contains a NUL byte`);
  return v;
}

function onlyKeys(o: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new RequestError(`unknown request field "${k}"`);
}

/** Parses and validates the request text. Throws RequestError for anything malformed. */
export function parseRequest(text: string | undefined): BrokerRequest {
  if (text === undefined || text === '')
    throw new RequestError('no request: the broker is started by cida-docker, not by hand');
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) throw new RequestError('request too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RequestError('request is not valid JSON');
  }
  if (!isObject(json)) throw new RequestError('request must be a JSON object');
  if (json.v !== 1)
    throw new RequestError(
      `unsupported request version ${JSON.stringify(json.v)}; the broker and cida-docker differ in version: run \`cida-docker doctor\``,
    );
  const cwd = str(json, 'cwd', 4096, false) as string;
  if (json.kind === 'audit') {
    onlyKeys(json, ['v', 'kind', 'cwd', 'user', 'since']);
    return { v: 1, kind: 'audit', cwd, user: str(json, 'user', 256, true), since: str(json, 'since', 64, true) };
  }
  if (json.kind === 'approval') return parseApprovalRequest(json, cwd);
  if (json.kind === 'build') return parseBuildRequest(json, cwd, cleanCiJob);
  if (json.kind !== 'docker')
    throw new RequestError('request field "kind" must be "docker", "audit", "approval" or "build"');
  onlyKeys(json, ['v', 'kind', 'argv', 'cwd', 'ciJob', 'env', 'auth']);
  const argv = json.argv;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string' && !a.includes('\0')))
    throw new RequestError('request field "argv" must be an array of strings');
  const ciJob = str(json, 'ciJob', 256, true);
  let env: Record<string, string> | undefined;
  if (json.env !== undefined) {
    if (!isObject(json.env)) throw new RequestError('request field "env" must be an object');
    env = {};
    for (const [k, v] of Object.entries(json.env)) {
      if (!ENV_NAME.test(k) || typeof v !== 'string' || v.includes('\0'))
        throw new RequestError(`request field "env" has a bad entry ${JSON.stringify(k)}`);
      env[k] = v;
    }
  }
  const auth = json.auth === undefined ? undefined : registryAuth(json.auth);
  return {
    v: 1,
    kind: 'docker',
    argv: argv as string[],
    cwd,
    ciJob: ciJob === undefined ? undefined : cleanCiJob(ciJob),
    env,
    ...(auth ? { auth } : {}),
  };
}

/** `auth`: { registry: a host[:port] (docker.io for Docker Hub), auth: base64 of user:password, bounded }. Errors never quote it. */
function registryAuth(v: unknown): { registry: string; auth: string } {
  if (!isObject(v)) throw new RequestError('request field "auth" must be an object');
  onlyKeys(v, ['registry', 'auth']);
  const registry = str(v, 'registry', 255, false) as string;
  const auth = str(v, 'auth', 4096, false) as string;
  if (!/^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/.test(registry))
    throw new RequestError('request field "auth.registry" must be a registry host[:port]');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(auth)) throw new RequestError('request field "auth.auth" must be base64');
  return { registry, auth };
}

/** A CI job id fit for a label value: printable, one line; anything else is dropped. */
export function cleanCiJob(raw: string): string | undefined {
  const v = raw.trim();
  return v !== '' && /^[\x20-\x7e]+$/.test(v) && v.length <= 200 ? v : undefined;
}

export function encodeRequest(req: BrokerRequest): string {
  const text = JSON.stringify(req);
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES)
    throw new RequestError(
      `the command line is too long to hand to the broker (${Buffer.byteLength(text)} bytes, at most ${MAX_REQUEST_BYTES})`,
    );
  return text;
}
