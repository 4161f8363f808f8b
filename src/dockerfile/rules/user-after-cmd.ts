import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';

export const rule: DockerfileRule = {
  id: 'user-after-cmd',
  severity: 'info',
  title: 'USER after CMD or ENTRYPOINT',
  reason:
    'Legal, and the runtime user is still the last USER, but a reader takes the user above CMD for the one that runs it.',
  fix: 'Move USER above CMD/ENTRYPOINT, so the file reads in the order things happen.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const stage of df.stages) {
      let cmd: string | undefined;
      for (const instr of stage.instructions) {
        if (instr.keyword === 'CMD' || instr.keyword === 'ENTRYPOINT')
          cmd ??= `${instr.keyword} on line ${instr.line + 1}`;
        else if (instr.keyword === 'USER' && cmd)
          out.push({
            instruction: instr,
            ...locate(df, instr, ''),
            message: `USER ${instr.rest.trim()} comes after ${cmd}`,
          });
      }
    }
    return out;
  },
};
