// Root inside the container: `-u/--user` and `--group-add` read the way the engine reads them.
// The daemon resolves `user[:group]` with moby/sys/user GetExecUser: a part that strconv.Atoi
// accepts (`0`, `00`, `+0`, `-0`) is a numeric id; anything else is a name looked up in the image's
// /etc/passwd or /etc/group. So `root` is root wherever it appears, group 0 is root's group, and any
// other name can only be judged against the image — the broker does that when it runs (as it does
// for an empty `-u ""`, which means the image's own USER). A non-empty value with an empty user
// part (`:1000`, `:`) is not the image's USER: GetExecUser reads it as uid 0. --group-add entries
// are numeric when strconv.ParseInt(s, 10, 64) accepts them, else names in the image's /etc/group.
import { lastValue } from '../docker/model.js';
import { PRIVILEGED_GROUPS, rootInPart, rootInSpec } from '../docker/user-spec.js';
import type { Finding, Rule } from './rule.js';

/** strconv.ParseInt base 10: optional sign, decimal digits. */
const DECIMAL = /^[+-]?[0-9]+$/;

function userFindings(flag: string, value: string): Finding[] {
  return rootInSpec(value).map((f) => ({
    message: `${flag} ${value}: ${f.why}`,
    ...(f.part === 'group'
      ? { fix: "Give a non-root group too (-u 1000:1000), or leave the group out to get the user's own." }
      : value.startsWith(':') || value.split(':')[0].trim() === ''
        ? { fix: "Name the user too (-u 1000:1000), or leave out -u to get the image's USER." }
        : {}),
  }));
}

function groupAddFindings(value: string): Finding[] {
  const fix = 'Leave out --group-add for privileged groups; add only the unprivileged groups the service needs.';
  // Names other than the privileged ones are judged against the image's /etc/group by the broker.
  if (!DECIMAL.test(value) && !PRIVILEGED_GROUPS.has(value.trim().toLowerCase()) && rootInPart(value, 'group') === null)
    return [];
  const why = rootInPart(value, 'group');
  return why === null ? [] : [{ message: `--group-add ${value}: ${why}`, fix }];
}

export const rule: Rule = {
  id: 'root-user',
  title: 'No root user',
  reason:
    'A process running as root inside the container is one kernel bug away from root on the host, and root in group 0 or docker owns host files.',
  fix: 'Run as a non-root user: -u 1000, or set USER in the Dockerfile.',
  check(cmd) {
    if (cmd.command !== 'run' && cmd.command !== 'exec') return [];
    const out: Finding[] = [];
    const user = lastValue(cmd.flags, 'user');
    if (user !== undefined) out.push(...userFindings('--user', user));
    for (const g of cmd.flags['group-add'] ?? []) out.push(...groupAddFindings(g));
    return out;
  },
};
