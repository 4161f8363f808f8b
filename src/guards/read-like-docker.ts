// How the rules read a flag value docker reads as CSV (--mount, --network's long syntax, build's
// stringSlice --security-opt): with docker's own readers in ../docker/values.ts, the ones the
// parser validated the value with, so a rule and docker cannot read the value differently.
import { ValueError } from '../docker/values.js';

export type DockerReading<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * `read(value)` (readCsvRecord, parseMount, parseNetwork…), or docker's error text.
 *
 * A value holding a line break is refused first, although docker accepts it: Go's csv reader
 * reads only the first record (after skipping empty lines), so `type=tmpfs,dst=/x\ntype=bind,…`
 * is a tmpfs to docker and a bind mount to anyone reading the whole value. Nobody needs a line
 * break in these values; refusing them keeps every reader (logs, audit, people) in agreement.
 */
export function readLikeDocker<T>(value: string, read: (value: string) => T): DockerReading<T> {
  if (/[\r\n]/.test(value)) return { ok: false, error: 'a line break in the value' };
  try {
    return { ok: true, value: read(value) };
  } catch (e) {
    if (e instanceof ValueError) return { ok: false, error: e.message };
    throw e;
  }
}

/** A flag value as shown in a message: quoted, control characters escaped, long ones cut. */
export function shown(value: string, max = 120): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}
