import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'unclassified-flag',
  title: 'Only flags the rulebook has classified',
  reason:
    'A flag nobody has reviewed (for example one a newer docker adds) could open the host; the allowlist refuses it until it is classified.',
  fix: 'Leave the flag out, or ask for it to be reviewed and added to the allowlist.',
};
