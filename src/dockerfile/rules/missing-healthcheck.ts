import { locate } from '../model.js';
import type { DockerfileRule } from '../rule.js';

export const rule: DockerfileRule = {
  id: 'missing-healthcheck',
  severity: 'info',
  title: 'No HEALTHCHECK',
  reason:
    'Without a HEALTHCHECK the engine reports a hung service as running; a stage built on another inherits its HEALTHCHECK.',
  fix: 'Add HEALTHCHECK CMD <a cheap probe> to the final stage (or HEALTHCHECK NONE to say there is deliberately none).',
  check(df) {
    const chain = df.finalChain();
    if (chain.length === 0) return [];
    if (chain.some((s) => s.instructions.some((i) => i.keyword === 'HEALTHCHECK'))) return [];
    const from = chain[0].from;
    return [
      {
        instruction: from,
        ...locate(df, from, ''),
        message: 'the final stage has no HEALTHCHECK (nor does any stage it is built on)',
      },
    ];
  },
};
