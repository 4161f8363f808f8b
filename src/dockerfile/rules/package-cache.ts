import { locate, type Instruction } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { cacheTargets, invocationsOf, mentions, scriptsOf } from '../uses.js';

export const rule: DockerfileRule = {
  id: 'package-cache',
  severity: 'info',
  title: 'Package-manager cache left in the image',
  reason:
    'Package indexes and download caches left in a layer make the image larger and carry stale package lists; only stages that end up in the image count.',
  fix: 'Clean up in the same RUN (apt-get … && rm -rf /var/lib/apt/lists/*; apk add --no-cache; pip install --no-cache-dir; dnf clean all), or use RUN --mount=type=cache for the cache directory.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const stage of df.finalChain())
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'RUN') continue;
        const scripts = scriptsOf(instr);
        const all = scripts.join('\n');
        // Read as shell only when some package manager is named without its clean-up in the same RUN.
        if (
          !(mentions(instr, /apt/) && !mentions(instr, /\/var\/lib\/apt\/lists/)) &&
          !(mentions(instr, /apk/) && !mentions(instr, /--no-cache|\/var\/cache\/apk/)) &&
          !(mentions(instr, /pip/) && !mentions(instr, /--no-cache-dir|pip cache purge|\/root\/\.cache/)) &&
          !(mentions(instr, /yum|dnf/) && !mentions(instr, /(yum|dnf) clean all|\/var\/cache\/(yum|dnf)/))
        )
          continue;
        const caches = cacheTargets(df, instr).join(' ');
        const seen = new Set<string>();
        const report = (manager: string, fix: string) => {
          if (seen.has(manager)) return;
          seen.add(manager);
          out.push({
            instruction: instr,
            ...locate(df, instr, manager),
            message: `${manager} leaves its cache in the image`,
            fix,
          });
        };
        for (const inv of invocationsOf(instr)) {
          const a = inv.args.map((w) => w.text);
          if ((inv.name === 'apt-get' || inv.name === 'apt') && a.includes('install')) {
            if (!/\/var\/lib\/apt\/lists/.test(all) && !/\/var\/(lib|cache)\/apt/.test(caches))
              report(inv.name, 'End the same RUN with && rm -rf /var/lib/apt/lists/*.');
          } else if (inv.name === 'apk' && a.includes('add')) {
            if (
              !a.includes('--no-cache') &&
              !/\/var\/cache\/apk/.test(all) &&
              !/\/(var|etc)\/(cache\/)?apk/.test(caches)
            )
              report('apk', 'Use apk add --no-cache.');
          } else if (
            (inv.name === 'pip' && a.includes('install')) ||
            (inv.name === 'python' && a[0] === '-m' && a[1] === 'pip' && a.includes('install'))
          ) {
            if (
              !a.includes('--no-cache-dir') &&
              !pipCacheOff(instr) &&
              !/pip cache purge|\/root\/\.cache/.test(all) &&
              !/\.cache/.test(caches)
            )
              report('pip', 'Use pip install --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1).');
          } else if ((inv.name === 'yum' || inv.name === 'dnf' || inv.name === 'microdnf') && a.includes('install')) {
            if (
              !/(yum|dnf|microdnf) clean all|\/var\/cache\/(yum|dnf)/.test(all) &&
              !/\/var\/cache\/(yum|dnf)/.test(caches)
            )
              report(inv.name, `End the same RUN with && ${inv.name} clean all.`);
          }
        }
      }
    return out;
  },
};

function pipCacheOff(instr: Instruction): boolean {
  const v = instr.scope('PIP_NO_CACHE_DIR');
  return typeof v === 'string' && v !== '';
}
