// Root inside the container: `-u/--user` and `--group-add` read the way the engine reads them.
// The daemon resolves `user[:group]` with moby/sys/user GetExecUser: a part that strconv.Atoi
// accepts (`0`, `00`, `+0`, `-0`) is a numeric id; anything else is a name looked up in the image's
// /etc/passwd or /etc/group. So `root` is root wherever it appears, group 0 is root's group, and any
// other name can only be judged against the image — the broker does that when it runs (as it does
// for an empty `-u ""`, which means the image's own USER). A non-empty value with an empty user
// part (`:1000`, `:`) is not the image's USER: GetExecUser reads it as uid 0. --group-add entries
// are numeric when strconv.ParseInt(s, 10, 64) accepts them, else names in the image's /etc/group.
import { lastValue } from '../docker/model.js';
import type { Finding, Rule } from './rule.js';

/** strconv.Atoi / ParseInt base 10: optional sign, decimal digits. */
const DECIMAL = /^[+-]?[0-9]+$/;
/** Go's other integer spellings: not numbers to Atoi, so docker would look them up as names. */
const NUMBER_LOOKALIKE = /^\s*[+-]?(?:0[xXoObB][0-9a-fA-F_]*|[0-9][0-9_]*)\s*$/;

/** Group names that hold privilege on common distributions (Debian, Alpine, busybox, RHEL). */
const PRIVILEGED_GROUPS = new Set(['root', 'docker', 'wheel', 'sudo', 'adm', 'admin', 'shadow', 'disk', 'kmem', 'sys']);

function isZero(s: string): boolean {
  return DECIMAL.test(s) && BigInt(s) === 0n;
}

/** Why one part of a user spec is refused, or null. `kind` is 'user' or 'group'. */
function partProblem(part: string, kind: 'user' | 'group'): string | null {
  if (isZero(part)) return `${kind} id ${part} is ${kind === 'user' ? 'root (uid 0)' : "root's group (gid 0)"}`;
  if (part.toLowerCase() === 'root') return `${kind} ${part} is root by name`;
  // The same group names --group-add refuses: `-u 1000:docker` is `--group-add docker` by another name.
  if (kind === 'group' && PRIVILEGED_GROUPS.has(part.trim().toLowerCase())) return `group ${part} is a privileged group`;
  if (!DECIMAL.test(part) && NUMBER_LOOKALIKE.test(part))
    return `${part} is not a decimal ${kind} id to docker (it would be looked up as a name in the image); write the id in plain decimal`;
  return null;
}

function userFindings(flag: string, value: string): Finding[] {
  if (value === '') return []; // the image's USER: checked against the image when it runs
  // GetExecUser splits on ':' and reads the first two fields; later ones are ignored.
  const [user = '', group] = value.split(':');
  const out: Finding[] = [];
  // A non-empty value replaces the image's USER; an empty user part then means GetExecUser's
  // default, uid 0 (moby/sys/user: `if userArg == "" { return u.Uid == user.Uid }` with
  // defaults nil). So `-u :1000` and `-u :` run as root whatever the image says.
  const u = user === '' ? "an empty user part means uid 0 (root) to docker, whatever the image's USER" : partProblem(user, 'user');
  if (u !== null)
    out.push({
      message: `${flag} ${value}: ${u}`,
      ...(user === '' && { fix: "Name the user too (-u 1000:1000), or leave out -u to get the image's USER." }),
    });
  const g = group === undefined || group === '' ? null : partProblem(group, 'group');
  if (g !== null)
    out.push({
      message: `${flag} ${value}: ${g}`,
      fix: 'Give a non-root group too (-u 1000:1000), or leave the group out to get the user\'s own.',
    });
  return out;
}

function groupAddFindings(value: string): Finding[] {
  const fix = 'Leave out --group-add for privileged groups; add only the unprivileged groups the service needs.';
  if (DECIMAL.test(value))
    return isZero(value) ? [{ message: `--group-add ${value}: gid 0 is root's group`, fix }] : [];
  if (PRIVILEGED_GROUPS.has(value.trim().toLowerCase()))
    return [{ message: `--group-add ${value}: ${value.trim()} is a privileged group`, fix }];
  if (NUMBER_LOOKALIKE.test(value))
    return [{ message: `--group-add ${value}: not a decimal gid to docker (it would be looked up as a group name in the image); write the gid in plain decimal`, fix }];
  return [];
}

export const rule: Rule = {
  id: 'root-user',
  title: "No root user",
  reason: "A process running as root inside the container is one kernel bug away from root on the host, and root in group 0 or docker owns host files.",
  fix: "Run as a non-root user: -u 1000, or set USER in the Dockerfile.",
  check(cmd) {
    if (cmd.command !== 'run' && cmd.command !== 'exec') return [];
    const out: Finding[] = [];
    const user = lastValue(cmd.flags, 'user');
    if (user !== undefined) out.push(...userFindings('--user', user));
    for (const g of cmd.flags['group-add'] ?? []) out.push(...groupAddFindings(g));
    return out;
  },
};
