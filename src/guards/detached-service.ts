// Services always run detached with every port published: the broker adds --detach --publish-all
// to every `run`. Asking for the opposite (--detach=false, -P=false) is refused with a message
// rather than silently overridden; --attach (refused by the flag table) conflicts with -d.
// Only the final value counts (pflag: last wins), as it is the one docker would use.
import { lastValue } from '../docker/model.js';
import type { Finding, Rule } from './rule.js';

export const rule: Rule = {
  id: 'detached-service',
  title: "Services run detached with published ports",
  reason: "cida-docker runs every container detached with all ports published (-d -P); attaching or turning those off conflicts with that.",
  fix: "Leave out --detach=false, --publish-all=false and --attach; follow the output with cida-docker logs -f CONTAINER.",
  check(cmd) {
    if (cmd.command !== 'run') return [];
    const out: Finding[] = [];
    if (lastValue(cmd.flags, 'detach') === 'false')
      out.push({
        message: '--detach=false: services always run detached (cida-docker adds --detach)',
        fix: 'Leave out --detach=false; the container id is printed, then follow the output with cida-docker logs -f CONTAINER.',
      });
    if (lastValue(cmd.flags, 'publish-all') === 'false')
      out.push({
        message: '--publish-all=false: services always publish their exposed ports (cida-docker adds --publish-all)',
        fix: 'Leave out --publish-all=false; see the published ports with cida-docker port CONTAINER, and the output with cida-docker logs -f CONTAINER.',
      });
    return out;
  },
};
