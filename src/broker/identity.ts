// Who is asking: the broker learns it from sudo (SUDO_UID/SUDO_USER, which sudo sets itself and
// the caller cannot choose), never from the request. A direct call by root without sudo is root.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface Caller {
  readonly user: string;
  readonly uid: number;
  /** True when the caller came through sudo; false for root calling the broker directly. */
  readonly viaSudo: boolean;
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}

/** The caller, from the broker's own environment (as sudo left it) and its real uid. */
export function callerFromEnv(env: NodeJS.ProcessEnv, processUid: number): Caller {
  if (processUid !== 0)
    throw new IdentityError('the broker must run as root, through `sudo -n`; run `cida-docker doctor`');
  const sUid = env.SUDO_UID;
  const sUser = env.SUDO_USER;
  if (sUid === undefined && sUser === undefined) return { user: 'root', uid: 0, viaSudo: false };
  if (
    sUid === undefined ||
    !/^\d{1,10}$/.test(sUid) ||
    sUser === undefined ||
    !/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}\$?$/.test(sUser)
  )
    throw new IdentityError('sudo did not say who is calling (SUDO_UID/SUDO_USER missing or malformed)');
  return { user: sUser, uid: Number(sUid), viaSudo: true };
}

/** Group names of `user` (primary and supplementary), as `id -Gn` reports them. */
export function groupsOf(user: string): string[] {
  try {
    const out = execFileSync('/usr/bin/id', ['-Gn', '--', user], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .trim()
      .split(/\s+/)
      .filter((g) => g !== '');
  } catch {
    return groupsFromEtcGroup(user);
  }
}

function groupsFromEtcGroup(user: string): string[] {
  try {
    return fs
      .readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => f.length >= 4 && f[3].split(',').includes(user))
      .map((f) => f[0]);
  } catch {
    return [];
  }
}

/**
 * True when `caller` is named in a policy list of users and `%groups`. Root always is.
 * `groups` is looked up lazily (only when the list names a group).
 */
export function isListed(
  caller: Pick<Caller, 'user' | 'uid'>,
  list: readonly string[],
  groups: () => readonly string[] = () => groupsOf(caller.user),
): boolean {
  if (caller.uid === 0) return true;
  if (list.includes(caller.user)) return true;
  const wanted = list.filter((e) => e.startsWith('%')).map((e) => e.slice(1));
  if (wanted.length === 0) return false;
  const mine = groups();
  return wanted.some((g) => mine.includes(g));
}
