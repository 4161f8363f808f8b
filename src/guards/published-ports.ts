import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'published-ports',
  title: "Published ports in the allowed range",
  reason: "Host ports below the policy range belong to the host's own services.",
  fix: "Publish to a port inside the allowed range, or let docker pick one with -P / -p CONTAINER_PORT.",
};
