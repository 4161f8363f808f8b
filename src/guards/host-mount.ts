import { type MountSpec, parseMount } from '../docker/values.js';
import { type DockerReading, readLikeDocker, shown } from './read-like-docker.js';
import type { Finding, Rule } from './rule.js';

/** Keys (lower-cased, as docker lower-cases them) a `--mount type=tmpfs` may carry. */
const TMPFS_KEYS = new Set([
  'type',
  'target',
  'dst',
  'destination',
  'readonly',
  'ro',
  'tmpfs-size',
  'tmpfs-mode',
  'consistency',
]);
/** Keys docker accepts without `=value` (opts/mount.go); only the read-only ones fit a tmpfs. */
const TMPFS_BARE_KEYS = new Set(['readonly', 'ro']);

/**
 * A `--mount` value as docker's CLI reads it (parseMount: opts.MountOpt.Set, the parser's own
 * check): the type (lower-cased, last one winning, `volume` when none is given) and the fields.
 */
export function readMount(value: string): DockerReading<MountSpec> {
  return readLikeDocker(value, parseMount);
}

function mountFindings(value: string): Finding[] {
  const m = readMount(value);
  const flag = `--mount ${shown(value)}`;
  if (!m.ok) return [{ message: `${flag} cannot be read the way docker reads it (${m.error}); refused` }];
  if (m.value.type !== 'tmpfs')
    return [
      { message: `${flag} is a ${shown(m.value.type)} mount: only type=tmpfs mounts are allowed. ${rule.reason}` },
    ];
  // Deliberately stricter than docker, which takes src/source and bind-recursive=enabled on a tmpfs.
  const bad = m.value.fields.filter((f) =>
    f.value === undefined ? !TMPFS_BARE_KEYS.has(f.key) : !TMPFS_KEYS.has(f.key),
  );
  if (bad.length === 0) return [];
  const names = bad.map((f) => shown(f.key)).join(', ');
  return [
    {
      message: `${flag}: ${names} ${bad.length === 1 ? 'is' : 'are'} not allowed on a tmpfs mount (a tmpfs has no source on the host; allowed: type, target/dst/destination, readonly/ro, tmpfs-size, tmpfs-mode)`,
      fix: 'Give only type=tmpfs, the target and tmpfs-size/tmpfs-mode, e.g. --mount type=tmpfs,target=/cache,tmpfs-size=64m.',
    },
  ];
}

export const rule: Rule = {
  id: 'host-mount',
  title: 'No host mounts or volumes',
  reason:
    "A bind mount or volume gives the container the host's files (-v /:/host is root on the host); volumes outlive the container and can be shared with others' containers.",
  fix: 'Build the files into the image, pass configuration with -e, or use --tmpfs (or --mount type=tmpfs) for scratch space.',
  check(cmd) {
    return (cmd.flags.mount ?? []).flatMap(mountFindings);
  },
};
