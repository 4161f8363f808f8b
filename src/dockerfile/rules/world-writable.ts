import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { invocationsOf, mentions } from '../uses.js';

/**
 * A mode (octal or symbolic, as chmod takes it) that lets others write. The sticky bit (1777, as
 * on /tmp) is allowed: others may add files but not replace anyone else's. `+w` with no "who"
 * follows the umask (022 in a build), so it does not count.
 */
export function isWorldWritable(mode: string): boolean {
  if (/^[0-7]{1,4}$/.test(mode)) {
    const digits = mode.padStart(4, '0');
    return (Number(digits[3]) & 2) !== 0 && (Number(digits[0]) & 1) === 0;
  }
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=].*)$/.exec(clause);
    if (!m || !/[oa]/.test(m[1])) continue;
    for (const op of m[2].match(/[-+=][rwxXstugo]*/g) ?? [])
      if ((op[0] === '+' || op[0] === '=') && op.includes('w') && !op.includes('t')) return true;
  }
  return false;
}

export const rule: DockerfileRule = {
  id: 'world-writable',
  severity: 'error',
  title: 'World-writable files (chmod 777, a+rwx)',
  reason:
    'Files anyone in the container can write let any process, or any user the image later runs as, replace code that others run.',
  fix: 'Give ownership to the service user instead (COPY --chown=10001:10001, chown -R 10001 /app) and keep modes like 755/644 (or 1777 for a shared temp dir).',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        const f = instr.flags.find((x) => x.name === 'chmod');
        if (f?.value && isWorldWritable(df.expand(f.value, instr).value))
          out.push({
            instruction: instr,
            ...locate(df, instr, `--chmod=${f.value}`),
            message: `${instr.keyword} --chmod=${f.value} makes files world-writable`,
          });
      }
      // Only a script naming one of these programs and a mode that could let others write is read as shell.
      if (
        instr.keyword !== 'RUN' ||
        !mentions(instr, /chmod|install|mkdir/) ||
        !mentions(instr, /[0-7]?[0-7][0-7][2367]\b|[oa][ugoa]*[+=]/)
      )
        continue;
      for (const inv of invocationsOf(instr)) {
        const a = inv.args.map((w) => w.text);
        let mode: string | undefined;
        if (inv.name === 'chmod') mode = a.find((x) => !/^-[a-zA-Z]+$/.test(x) && !x.startsWith('--'));
        else if (inv.name === 'install' || inv.name === 'mkdir') {
          const i = a.findIndex((x) => x === '-m' || x === '--mode');
          mode =
            i >= 0
              ? a[i + 1]
              : (a.find((x) => x.startsWith('--mode='))?.slice(7) ?? a.find((x) => /^-m\d/.test(x))?.slice(2));
        }
        if (mode !== undefined && isWorldWritable(mode))
          out.push({
            instruction: instr,
            ...locate(df, instr, mode),
            message: `${inv.name} ${mode} makes files world-writable`,
          });
      }
    }
    return out;
  },
};
