// Jenkins' per-block registry login (`withRegistry`/`withDockerRegistry`) sets DOCKER_CONFIG to a
// directory of its own and expects the push in the same block to use it. The front end reads, as
// the developer, only that config's `auths` entry for the registry the push or pull names, and hands
// it to the broker in the request, for that one call (the broker writes it to a private temporary
// DOCKER_CONFIG and removes it afterwards). Nothing else of the file is read or sent: no other
// registry's entry, no credential helpers.
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedCommand } from '../docker/model.js';
import { parseImageReference } from '../docker/reference.js';
import { loginRegistry } from '../guards/trusted-image.js';

const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_AUTH = 4096;

/** The registry a push or pull names (`docker.io` for Docker Hub), or undefined. */
function registryOf(cmd: ParsedCommand): string | undefined {
  if ((cmd.command !== 'push' && cmd.command !== 'pull') || cmd.args[0] === undefined) return undefined;
  try {
    const d = parseImageReference(cmd.args[0]).domain;
    return d === '' ? undefined : d;
  } catch {
    return undefined;
  }
}

/** The `auths` entry of $DOCKER_CONFIG/config.json for the registry of this push or pull, or undefined. */
export function authFromDockerConfig(
  cmd: ParsedCommand,
  env: NodeJS.ProcessEnv,
): { registry: string; auth: string } | undefined {
  const dir = env.DOCKER_CONFIG;
  const registry = registryOf(cmd);
  if (dir === undefined || dir === '' || registry === undefined) return undefined;
  let text: string;
  try {
    const fd = fs.openSync(path.join(dir, 'config.json'), 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined; // no config there: the broker uses the caller's own stored login
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const auths = (json as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) return undefined;
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (loginRegistry(key) !== registry) continue;
    const auth = (entry as { auth?: unknown } | null)?.auth;
    if (typeof auth === 'string' && auth.length <= MAX_AUTH && /^[A-Za-z0-9+/]+={0,2}$/.test(auth))
      return { registry, auth };
  }
  return undefined;
}
