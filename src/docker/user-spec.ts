// The one root decision: which numeric identity a user spec (`-u`, `--group-add`, a Dockerfile's
// USER) means, and whether it holds root anywhere. Read the way the engine reads it
// (moby/sys/user GetExecUser / GetAdditionalGroups): against the image's own /etc/passwd and
// /etc/group when they are known (the broker, at create time), or from the spec alone when they
// are not (the run rule and the Dockerfile rule, which cannot see the image). Every part of
// cida-docker that asks "is this root?" asks here, and answers in the same words.

/** The words for root in each part of an identity, the same in every message. */
export const ROOT_WORDS = {
  uid: 'uid 0 (root)',
  gid: 'gid 0 (group root)',
  groups: 'supplementary group 0 (root)',
} as const;

export interface Identity {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups the engine would add from /etc/group (only without an explicit group). */
  readonly groups: readonly number[];
}

export type Resolved =
  { readonly kind: 'ok'; readonly id: Identity } | { readonly kind: 'error'; readonly why: string };

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}
interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

// Go's strconv.Atoi accepts a sign; the engine then treats "+5" like 5.
const ATOI = /^[+-]?[0-9]+$/;

function atoi(s: string): number | null {
  if (!ATOI.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** moby/sys/user ParsePasswd: name:password:uid:gid:gecos:home:shell, bad lines skipped. */
function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = atoi(f[2] ?? '');
    const gid = atoi(f[3] ?? '');
    // The engine parses a missing or bad number as 0: that is root, so keep it as 0.
    out.push({ name: f[0], uid: uid ?? 0, gid: gid ?? 0 });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    out.push({ name: f[0], gid: atoi(f[2] ?? '') ?? 0, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

/**
 * The identity `spec` (`user[:group]`, as given with -u or the image's USER) runs as in a
 * container whose /etc/passwd and /etc/group are `passwd` and `group` (null: the file is missing).
 * Mirrors GetExecUser: an empty user is root (uid 0); a numeric user not in passwd keeps gid 0;
 * a name not in passwd is an error; an explicit group wins and then no supplementary groups are
 * added; without one, every group that lists the user's name is added.
 */
export function resolveUserSpec(spec: string, passwd: string | null, group: string | null): Resolved {
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const users = passwd === null ? [] : parsePasswd(passwd);
  const groups = group === null ? [] : parseGroup(group);

  let uid = 0;
  let gid = 0;
  const uidArg = atoi(userArg);
  const match = users.find((u) =>
    userArg === '' ? u.uid === 0 : uidArg !== null ? u.uid === uidArg : u.name === userArg,
  );
  if (match) {
    uid = match.uid;
    gid = match.gid;
  } else if (userArg !== '') {
    if (uidArg === null) return { kind: 'error', why: `no user "${userArg}" in the image's /etc/passwd` };
    if (uidArg < 0) return { kind: 'error', why: `uid ${userArg} is negative` };
    uid = uidArg;
  }

  // An explicit group wins, and then no supplementary groups are added. A numeric one stands even
  // without an /etc/group (checked against the engine: a container that deletes its /etc/group and
  // restarts keeps its pinned gid); a name must be in /etc/group.
  let supplementary: number[] = [];
  if (groupArg !== '') {
    const gidArg = atoi(groupArg);
    const g = groups.find((e) => (gidArg === null ? e.name === groupArg : e.gid === gidArg));
    if (g) gid = g.gid;
    else if (gidArg !== null && gidArg >= 0) gid = gidArg;
    else return { kind: 'error', why: `no group "${groupArg}" in the image's /etc/group` };
  } else if (match) {
    supplementary = groups.filter((g) => g.members.includes(match.name)).map((g) => g.gid);
  }
  // The engine hands runc the gid and the supplementary gids as numbers, and runc looks each one
  // up again in /etc/group by *name* first (GetAdditionalGroups): a group named "1000" with gid 0
  // turns a pinned 1000:1000 into groups=0. Count what that lookup gives too.
  const looked = additionalGroups([String(gid), ...supplementary.map(String)], group);
  const runtime = typeof looked === 'string' ? [] : looked.filter((g) => g !== gid);
  return { kind: 'ok', id: { uid, gid, groups: [...new Set([...supplementary, ...runtime])] } };
}

/**
 * The gids `--group-add` entries mean (moby/sys/user GetAdditionalGroups): a group whose *name*
 * or gid equals the entry, else the entry as a number. Every matching group counts, so a group
 * named "1000" with gid 0 shows up as 0. A string is the error.
 */
export function additionalGroups(added: readonly string[], group: string | null): number[] | string {
  const groups = group === null ? [] : parseGroup(group);
  const out: number[] = [];
  for (const ag of added) {
    const matches = groups.filter((g) => g.name === ag || String(g.gid) === ag);
    if (matches.length > 0) {
      out.push(...matches.map((g) => g.gid));
      continue;
    }
    const n = atoi(ag);
    if (n === null || n < 0) return `no group "${ag}" in the image's /etc/group`;
    out.push(n);
  }
  return [...new Set(out)];
}

/** The one question about an identity: does it hold root's uid or group anywhere? */
export function rootPart(id: Identity): string | null {
  if (id.uid === 0) return ROOT_WORDS.uid;
  if (id.gid === 0) return ROOT_WORDS.gid;
  if (id.groups.includes(0)) return ROOT_WORDS.groups;
  return null;
}

/** Go's other integer spellings: not numbers to Atoi, so docker would look them up as names. */
const NUMBER_LOOKALIKE = /^\s*[+-]?(?:0[xXoObB][0-9a-fA-F_]*|[0-9][0-9_]*)\s*$/;

/** Group names that hold privilege on common distributions (Debian, Alpine, busybox, RHEL). */
export const PRIVILEGED_GROUPS = new Set([
  'root',
  'docker',
  'wheel',
  'sudo',
  'adm',
  'admin',
  'shadow',
  'disk',
  'kmem',
  'sys',
]);

function isZero(s: string): boolean {
  return ATOI.test(s) && BigInt(s) === 0n;
}

/** Why one part of a spec is root (or may become it), judged without the image's files; null when it is not. */
export function rootInPart(part: string, kind: 'user' | 'group'): string | null {
  if (isZero(part)) return `${kind} id ${part} is ${kind === 'user' ? ROOT_WORDS.uid : ROOT_WORDS.gid}`;
  if (part.toLowerCase() === 'root')
    return `${kind} ${part} is ${kind === 'user' ? ROOT_WORDS.uid : ROOT_WORDS.gid} by name`;
  if (kind === 'group' && PRIVILEGED_GROUPS.has(part.trim().toLowerCase()))
    return `group ${part} is a privileged group`;
  if (!ATOI.test(part) && NUMBER_LOOKALIKE.test(part))
    return `${part} is not a decimal ${kind} id to docker (it would be looked up as a name in the image); write the id in plain decimal`;
  return null;
}

export interface SpecFinding {
  readonly part: 'user' | 'group';
  readonly why: string;
}

/**
 * What a non-empty user spec says about root by itself, before the image is known: an empty
 * user part is uid 0 to the engine (`:1000`, `:`), a user or group part that is 0 or `root` is
 * root, a privileged group name is refused. Names other than root are judged against the image
 * later (the broker resolves them at create time). An empty spec (the image's own USER) says nothing.
 */
export function rootInSpec(spec: string): SpecFinding[] {
  if (spec === '') return [];
  // GetExecUser splits on ':' and reads the first two fields; later ones are ignored.
  const [user = '', group] = spec.split(':');
  const out: SpecFinding[] = [];
  const u =
    user.trim() === ''
      ? `an empty user part means ${ROOT_WORDS.uid} to docker, whatever the image's USER`
      : rootInPart(user.trim(), 'user');
  if (u !== null) out.push({ part: 'user', why: u });
  const g = group === undefined || group.trim() === '' ? null : rootInPart(group.trim(), 'group');
  if (g !== null) out.push({ part: 'group', why: g });
  return out;
}
