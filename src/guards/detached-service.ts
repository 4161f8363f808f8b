import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'detached-service',
  title: "Services run detached with published ports",
  reason: "cida-docker runs every container detached with all ports published (-d -P); attaching or turning those off conflicts with that.",
  fix: "Leave out --detach=false, --publish-all=false and --attach; follow the output with cida-docker logs -f CONTAINER.",
};
