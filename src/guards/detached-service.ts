// Services always run detached with every port published: the broker adds --detach --publish-all
// to every `run`. Asking for the opposite (--detach=false, -P=false) is refused with a message
// rather than silently overridden; --attach (refused by the flag table) conflicts with -d.
// Only the final value counts (pflag: last wins), as it is the one docker would use.
import { lastValue } from '../docker/model.js';
import type { Finding, Rule, Violation } from './rule.js';

/**
 * `run -i` without -d whose stdin is not a terminal: refused when the command runs (the rule
 * cannot see stdin), by the front end early and by the broker again.
 */
export const PIPED_STDIN: Violation = {
  rule: 'detached-service',
  message: 'run -i with stdin from a pipe or file: the container runs detached, so that input could never reach it',
  fix: 'Leave out -i, or put the input in the image or pass it with -e; on a terminal, -it gives an interactive session.',
};

export const rule: Rule = {
  id: 'detached-service',
  title: 'Services run detached with published ports',
  reason:
    'cida-docker runs every container detached with all ports published (-d -P); attaching or turning those off conflicts with that.',
  fix: 'Leave out --detach=false, --publish-all=false and --attach; follow the output with cida-docker logs -f CONTAINER.',
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
