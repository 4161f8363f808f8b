import { readCsvRecord } from '../docker/values.js';
import { readLikeDocker, shown } from './csv.js';
import type { Finding, Rule } from './rule.js';

/** Keys (lower-cased, as docker lower-cases them) a `--mount type=tmpfs` may carry. */
const TMPFS_KEYS = new Set(['type', 'target', 'dst', 'destination', 'readonly', 'ro', 'tmpfs-size', 'tmpfs-mode', 'consistency']);
/** Keys docker accepts without `=value` (opts/mount.go); only the read-only ones fit a tmpfs. */
const TMPFS_BARE_KEYS = new Set(['readonly', 'ro']);

export type MountReading =
  | { readonly ok: true; readonly type: string; readonly keys: readonly string[] }
  | { readonly ok: false; readonly error: string };

/**
 * The mount type docker's CLI (opts.MountOpt.Set, docker/cli v28.2.2 opts/mount.go) reads from a
 * `--mount` value: CSV fields, keys lower-cased, `type` lower-cased and last one winning, and
 * `volume` when no type is given. Also the (lower-cased) keys given, for the tmpfs allowlist.
 */
export function readMount(value: string): MountReading {
  const csv = readLikeDocker(value, readCsvRecord);
  if (!csv.ok) return csv;
  let type = 'volume';
  const keys: string[] = [];
  for (const field of csv.value) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    keys.push(eq < 0 ? key : `${key}=`);
    if (eq >= 0 && key === 'type') type = field.slice(eq + 1).toLowerCase();
  }
  return { ok: true, type, keys };
}

function mountFindings(value: string): Finding[] {
  const m = readMount(value);
  const flag = `--mount ${shown(value)}`;
  if (!m.ok)
    return [{ message: `${flag} cannot be read the way docker reads it (${m.error}); refused` }];
  if (m.type !== 'tmpfs')
    return [{ message: `${flag} is a ${shown(m.type)} mount: only type=tmpfs mounts are allowed. ${rule.reason}` }];
  const bad = m.keys.filter((k) =>
    k.endsWith('=') ? !TMPFS_KEYS.has(k.slice(0, -1)) : !TMPFS_BARE_KEYS.has(k),
  );
  if (bad.length === 0) return [];
  const names = bad.map((k) => shown(k.endsWith('=') ? k.slice(0, -1) : k)).join(', ');
  return [
    {
      message: `${flag}: ${names} ${bad.length === 1 ? 'is' : 'are'} not allowed on a tmpfs mount (a tmpfs has no source on the host; allowed: type, target/dst/destination, readonly/ro, tmpfs-size, tmpfs-mode)`,
      fix: 'Give only type=tmpfs, the target and tmpfs-size/tmpfs-mode, e.g. --mount type=tmpfs,target=/cache,tmpfs-size=64m.',
    },
  ];
}

export const rule: Rule = {
  id: 'host-mount',
  title: "No host mounts or volumes",
  reason: "A bind mount or volume gives the container the host's files (-v /:/host is root on the host); volumes outlive the container and can be shared with others' containers.",
  fix: "Build the files into the image, pass configuration with -e, or use --tmpfs (or --mount type=tmpfs) for scratch space.",
  check(cmd) {
    return (cmd.flags.mount ?? []).flatMap(mountFindings);
  },
};
