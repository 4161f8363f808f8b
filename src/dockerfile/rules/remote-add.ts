import { locate } from '../model.js';
import { execForm, splitWords } from '../parse.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';

const REMOTE = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/|git@)/;

export const rule: DockerfileRule = {
  id: 'remote-add',
  severity: 'error',
  title: 'ADD of a remote URL',
  reason:
    'ADD <url> fetches whatever the server returns at build time, as root, from outside the reviewed build context: the approved Dockerfile no longer says what goes into the image.',
  fix: 'Put the file in the build context and COPY it, or download it in a RUN step that verifies a pinned checksum (sha256sum -c).',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (instr.keyword !== 'ADD') continue;
      const words = execForm(instr.rest) ?? splitWords(instr.rest, df.escape);
      for (const src of words.slice(0, -1)) {
        if (src.startsWith('<<')) continue;
        const ex = df.expand(src, instr);
        if (REMOTE.test(ex.value) || (ex.unresolved.length > 0 && src.includes('://')))
          out.push({
            instruction: instr,
            ...locate(df, instr, src),
            message: `ADD fetches ${ex.value || src} from the network at build time`,
          });
      }
    }
    return out;
  },
};
