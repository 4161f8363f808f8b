// Loading the policy file. The broker (root) trusts it only when root owns it and nobody else
// can write it; the developer's side may read any file it is pointed at (`--policy`).
import fs from 'node:fs';
import { DEFAULT_POLICY, type Policy, POLICY_PATH, PolicyError, parsePolicy } from './policy.js';

export interface LoadOptions {
  /** Refuse a file not owned by root or writable by group/others (the broker's view). */
  readonly requireRootOwned?: boolean;
}

export function loadPolicy(file: string, options: LoadOptions = {}): Policy {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return DEFAULT_POLICY;
    if (code === 'ELOOP')
      throw new PolicyError(`${file}: is a symbolic link; the policy must be a plain root-owned file`);
    throw new PolicyError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    // fstat the opened file, not the path, so the checked file is the one read.
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new PolicyError(`${file}: not a regular file`);
    if (options.requireRootOwned) {
      if (st.uid !== 0)
        throw new PolicyError(`${file}: must be owned by root (owner uid ${st.uid}); fix: chown root:root ${file}`);
      if ((st.mode & 0o022) !== 0)
        throw new PolicyError(
          `${file}: must not be writable by group or others (mode ${(st.mode & 0o777).toString(8)}); fix: chmod 644 ${file}`,
        );
    }
    return parsePolicy(fs.readFileSync(fd, 'utf8'), file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The policy as the front end sees it for its early check, or null when it cannot be read or is
 * bad: the broker has the last word (and exits 78 for a bad one).
 */
export function readablePolicy(file: string = POLICY_PATH): Policy | null {
  try {
    return loadPolicy(file);
  } catch {
    return null;
  }
}
