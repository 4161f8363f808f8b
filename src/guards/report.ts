// How refusals and usage errors read on a terminal: like a good compiler error — which rule,
// what exactly, why, and how to do the allowed thing instead.
import type { UsageError } from '../docker/model.js';
import type { Violation } from './rule.js';

export function formatViolations(violations: readonly Violation[]): string {
  const lines = [
    `refused by this host's policy (${violations.length === 1 ? 'one rule' : `${violations.length} rules`}):`,
  ];
  for (const v of violations) lines.push(`  ✖ [${v.rule}] ${v.message}`, `      fix: ${v.fix}`);
  return lines.join('\n');
}

export function formatUsageError(e: UsageError): string {
  const cmd = e.words.length > 0 ? ` ${e.words.join(' ')}` : '';
  return `cida-docker: ${e.message}\nSee 'cida-docker${cmd} --help'.`;
}
