import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { imageMentions } from '../uses.js';

export const rule: DockerfileRule = {
  id: 'latest-tag',
  severity: 'error',
  title: 'Image without a version (:latest or no tag)',
  reason:
    "An approval covers the Dockerfile's bytes: with :latest (or no tag, which means :latest) the approved Dockerfile builds a different image tomorrow.",
  fix: 'Pin a version tag (base/node:20.11) or, better, a digest (base/node@sha256:…).',
  check(df) {
    const out: RuleFinding[] = [];
    for (const { instr, how, use } of imageMentions(df)) {
      if (use.kind !== 'image' || use.ref.digest !== undefined) continue;
      if (use.ref.tag !== undefined && use.ref.tag !== 'latest') continue;
      const what = use.ref.tag === undefined ? 'has no tag, which means :latest' : 'is tagged :latest';
      out.push({ instruction: instr, ...locate(df, instr, use.text), message: `${how} ${use.value} ${what}` });
    }
    return out;
  },
};
