// The build request: `cida-docker build` sends the docker argv as the developer typed it (for the
// rulebook and the audit line; its context and -f are never opened by the broker) and the name
// under which the Dockerfile comes first in the tar on the broker's stdin.
import { RequestError } from './request.js';

export interface BuildRequest {
  readonly v: 1;
  readonly kind: 'build';
  /** The docker argv after the program name: `build … CONTEXT`. */
  readonly argv: readonly string[];
  /** The developer's working directory: recorded in the audit line, never used as a path. */
  readonly cwd: string;
  /** The Dockerfile's entry name in the stream: relative, clean, no `..`. */
  readonly dockerfile: string;
  readonly ciJob?: string;
}

const KEYS = ['v', 'kind', 'argv', 'cwd', 'dockerfile', 'ciJob'];

/** True for a name the stream reader can compare entries with: relative, clean, printable. */
export function isCleanEntryName(name: string): boolean {
  if (name === '' || name.length > 4096 || name.startsWith('/') || name.endsWith('/')) return false;
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  return name.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

/** Validates the shape of a `kind: "build"` request (already JSON, `v` and `cwd` checked). */
export function parseBuildRequest(
  json: Record<string, unknown>,
  cwd: string,
  ciJob: (raw: string) => string | undefined,
): BuildRequest {
  for (const k of Object.keys(json)) if (!KEYS.includes(k)) throw new RequestError(`unknown request field "${k}"`);
  const argv = json.argv;
  if (!Array.isArray(argv) || argv.length > 4096 || !argv.every((a) => typeof a === 'string' && !a.includes('\0')))
    throw new RequestError('request field "argv" must be an array of strings');
  const df = json.dockerfile;
  if (typeof df !== 'string' || !isCleanEntryName(df))
    throw new RequestError(
      'request field "dockerfile" must be the Dockerfile\'s name inside the streamed context (relative, no "..")',
    );
  let job: string | undefined;
  if (json.ciJob !== undefined) {
    if (typeof json.ciJob !== 'string' || json.ciJob.length > 256)
      throw new RequestError('request field "ciJob" must be a string');
    job = ciJob(json.ciJob);
  }
  return {
    v: 1,
    kind: 'build',
    argv: argv as string[],
    cwd,
    dockerfile: df,
    ...(job !== undefined ? { ciJob: job } : {}),
  };
}
