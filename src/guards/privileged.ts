import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'privileged',
  title: 'No privileged containers',
  reason:
    '--privileged gives the container every capability and every host device, with no seccomp or AppArmor: root on the host.',
  fix: 'Leave out --privileged; the service must run without it.',
};
