import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'root-user',
  title: "No root user",
  reason: "A process running as root inside the container is one kernel bug away from root on the host, and root in group 0 or docker owns host files.",
  fix: "Run as a non-root user: -u 1000, or set USER in the Dockerfile.",
};
