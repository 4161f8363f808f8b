import { locate } from '../model.js';
import { splitWords } from '../parse.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';

export const rule: DockerfileRule = {
  id: 'privileged-port',
  severity: 'info',
  title: 'EXPOSE of a port below 1024',
  reason:
    'A service that runs as a non-root user cannot bind ports below 1024 without extra capabilities, which run refuses to grant.',
  fix: 'Listen on an unprivileged port (8080 rather than 80, 8443 rather than 443) and EXPOSE that; publishing maps it to a host port anyway.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const stage of df.finalChain())
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'EXPOSE') continue;
        for (const w of splitWords(instr.rest, df.escape)) {
          const ex = df.expand(w, instr);
          if (ex.unresolved.length > 0) continue;
          for (const spec of ex.value.split(/\s+/)) {
            const m = /^(\d+)(?:-\d+)?(?:\/\w+)?$/.exec(spec);
            const port = m ? Number(m[1]) : NaN;
            if (port > 0 && port < 1024)
              out.push({
                instruction: instr,
                ...locate(df, instr, w),
                message: `EXPOSE ${spec}: a non-root service cannot bind port ${port}`,
              });
          }
        }
      }
    return out;
  },
};
