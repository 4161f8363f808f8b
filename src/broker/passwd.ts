// Which uid a container's user spec means, read from the container's own /etc/passwd the way the
// runtime reads it (a numeric user is that uid; a name is looked up; empty is root).

/** The content of the first entry of a tar stream, when it is a regular file; else null. */
export function firstTarFile(tar: Buffer): Buffer | null {
  if (tar.length < 512) return null;
  const type = String.fromCharCode(tar[156]);
  if (type !== '0' && type !== '\0') return null;
  const sizeField = tar.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(sizeField)) return null;
  const size = parseInt(sizeField, 8);
  if (512 + size > tar.length) return null;
  return tar.subarray(512, 512 + size);
}

export type UidLookup = { readonly kind: 'uid'; readonly uid: number } | { readonly kind: 'unknown'; readonly why: string };

/**
 * The uid that `user[:group]` runs as. `passwd` is the container's /etc/passwd text, or null
 * when it could not be read (then only numeric and empty specs resolve).
 */
export function uidOfUserSpec(spec: string, passwd: string | null): UidLookup {
  const user = spec.split(':')[0];
  if (user === '') return { kind: 'uid', uid: 0 };
  if (/^\d+$/.test(user)) return { kind: 'uid', uid: Number(user) };
  if (passwd === null) return { kind: 'unknown', why: `cannot read /etc/passwd to look up user "${user}"` };
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] === user && /^\d+$/.test(f[2])) return { kind: 'uid', uid: Number(f[2]) };
  }
  return { kind: 'unknown', why: `no user "${user}" in the image's /etc/passwd` };
}

/** The uids (real, effective, saved, filesystem) on the Uid: line of /proc/<pid>/status. */
export function uidsFromStatus(status: string): number[] | null {
  const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(status);
  return m ? m.slice(1, 5).map(Number) : null;
}
