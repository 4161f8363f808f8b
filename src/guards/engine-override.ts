import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'engine-override',
  title: 'No engine or client-config overrides',
  reason:
    'Global -H/--host, -c/--context, --config and --tls* choose another engine or make the docker CLI read files as root.',
  fix: "Leave out the global flag: cida-docker always talks to this host's engine.",
};
