import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'resource-limits',
  title: "No unlimited resources",
  reason: "A container without memory, process or priority limits can take the shared host down for everyone.",
  fix: "Give a real limit (for example --memory 512m, --pids-limit 256) or leave the flag out to get the policy default.",
};
