import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'supported-command',
  title: "Only the supported docker commands",
  reason: "Other docker commands reach the engine in ways the rules do not cover (cp and save/load read and write host files as root; volume, context, plugin and service manage the engine itself).",
  fix: "Use one of the supported commands; ask an administrator if your workflow needs another.",
};
