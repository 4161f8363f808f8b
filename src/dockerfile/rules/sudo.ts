import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { invocationsOf, mentions } from '../uses.js';

const INSTALLERS = new Set(['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf', 'zypper']);

export const rule: DockerfileRule = {
  id: 'sudo',
  severity: 'error',
  title: 'sudo in RUN',
  reason:
    'Build steps already run as root until USER changes it; sudo in an image lets its non-root user become root again, undoing the drop the policy requires.',
  fix: 'Do root work before USER (or between USER root and USER <app>); do not install sudo in the image.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN' || !mentions(instr, /sudo/)) continue;
      for (const inv of invocationsOf(instr)) {
        if (inv.wrappers.includes('sudo') || inv.name === 'sudo')
          out.push({
            instruction: instr,
            ...locate(df, instr, 'sudo'),
            message: `RUN uses sudo${inv.name !== 'sudo' ? ` to run ${inv.name}` : ''}`,
          });
        else if (
          INSTALLERS.has(inv.name) &&
          inv.args.some((w) => w.text === 'sudo') &&
          inv.args.some((w) => /^(install|add)$/.test(w.text))
        )
          out.push({
            instruction: instr,
            ...locate(df, instr, 'sudo'),
            message: `RUN installs sudo into the image with ${inv.name}`,
          });
      }
    }
    return out;
  },
};
