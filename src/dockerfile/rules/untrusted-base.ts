import { formatImageReference, isFromRegistry } from '../../docker/reference.js';
import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { imageMentions } from '../uses.js';

export const rule: DockerfileRule = {
  id: 'untrusted-base',
  severity: 'error',
  title: 'Image from outside the trusted registry',
  reason:
    "Every image a build pulls (FROM, COPY --from, RUN --mount from=) puts its files and code into the result; only the organisation's trusted registry is reviewed.",
  fix: 'Name an image in the trusted registry (registry.example.internal/team/base:1.2), an earlier build stage, or scratch; give every ARG used in an image name a default.',
  check(df, { policy }) {
    const out: RuleFinding[] = [];
    const trusted = policy.trustedRegistries.join(', ') || 'the policy trusts none';
    for (const { instr, how, use } of imageMentions(df)) {
      if (use.kind === 'stage' || use.kind === 'scratch') continue;
      const at = { instruction: instr, ...locate(df, instr, use.text) };
      if (use.kind === 'unresolved')
        out.push({
          ...at,
          message: `${how} ${use.text}: ${use.variables.map((v) => `$${v}`).join(', ')} has no default value, so the image cannot be known`,
        });
      else if (use.kind === 'invalid')
        out.push({ ...at, message: `${how} ${use.value}: not a valid image reference (${use.reason})` });
      else if (!isFromRegistry(use.ref, policy.trustedRegistries)) {
        const full = formatImageReference(use.ref);
        const shown = full === use.value ? use.value : `${use.value} (${full})`;
        out.push({
          ...at,
          message: `${how} ${shown} comes from ${use.ref.domain}, not a trusted registry (${trusted})`,
        });
      }
    }
    return out;
  },
};
