// LABEL cida.* in a Dockerfile: the same reserved prefix as `--label` on run and build
// (src/guards/reserved-label.ts): the broker writes cida.builder, cida.approval and
// cida.dockerfile.sha256 on the images it builds, and a FROM inherits its parent's labels, so an
// image must not arrive carrying them. The key is read as the builder reads it: variables
// expanded (ARG, ENV, --build-arg values when the build passes them), quotes removed, invisible
// characters and look-alikes folded; a key that a build-arg could still turn into cida.… is an
// error too. ONBUILD LABEL is judged the same.
import { isReservedLabelKey, RESERVED_PREFIX } from '../../guards/reserved-label.js';
import { locate, nameValuePairs } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';

/** Could a key whose literal start is `prefix` (the text before its first variable) still become cida.…? */
function couldBeReserved(prefix: string): boolean {
  const p = prefix
    .normalize('NFKC')
    .replace(/[\p{Cf}\p{Z}\s"'\\]/gu, '')
    .toLowerCase();
  return p.length < RESERVED_PREFIX.length ? RESERVED_PREFIX.startsWith(p) : p.startsWith(RESERVED_PREFIX);
}

export const rule: DockerfileRule = {
  id: 'reserved-label',
  severity: 'error',
  title: 'LABEL under the reserved cida. prefix',
  reason:
    'Labels under cida. say who built an image from which approval; only the broker writes them, and people read them as its word.',
  fix: 'Choose a label key outside the cida. prefix (for example org.opencontainers.image.* or com.example.*); cida-docker adds its own labels when it builds.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (instr.keyword !== 'LABEL') continue;
      for (const pair of nameValuePairs(instr.rest, df.escape)) {
        const ex = df.expand(pair.name, instr);
        const where = instr.trigger ? 'ONBUILD LABEL' : 'LABEL';
        if (isReservedLabelKey(ex.value))
          out.push({
            instruction: instr,
            ...locate(df, instr, pair.name),
            message: `${where} ${pair.name}${ex.value !== pair.name ? ` (reads as ${JSON.stringify(ex.value)})` : ''}: the key is under the reserved cida. prefix`,
          });
        else if (ex.unresolved.length > 0 && couldBeReserved(pair.name.slice(0, Math.max(0, pair.name.indexOf('$')))))
          out.push({
            instruction: instr,
            ...locate(df, instr, pair.name),
            message: `${where} ${pair.name}: the key depends on ${ex.unresolved.map((v) => `$${v}`).join(', ')}, which a --build-arg could make cida.…; start the key with a fixed name`,
          });
      }
    }
    return out;
  },
};
