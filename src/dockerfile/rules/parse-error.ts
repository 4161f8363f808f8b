import type { DockerfileRule, RuleFinding } from '../rule.js';

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

export const rule: DockerfileRule = {
  id: 'parse-error',
  severity: 'error',
  title: 'Dockerfile the builder would reject',
  reason:
    'A file the builder cannot read (no FROM, an unknown instruction, an unterminated heredoc, a bad parser directive) cannot be reviewed for what it would build.',
  fix: 'Make the Dockerfile build with `docker build` first: one FROM per stage, known instructions only, every heredoc closed.',
  check(df) {
    const out: RuleFinding[] = df.problems.map((p) => ({
      line: p.line + 1,
      column: 1,
      length: df.lines[p.line]?.length ?? 1,
      message: p.message,
    }));
    let seenFrom = false;
    for (const instr of df.instructions) {
      const at = { instruction: instr, line: instr.line + 1, column: instr.column + 1, length: instr.keyword.length };
      if (instr.trigger) {
        // BuildKit: "ONBUILD ONBUILD isn't allowed", "FROM isn't allowed as an ONBUILD trigger", MAINTAINER likewise.
        if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(instr.keyword))
          out.push({ ...at, message: `${instr.keyword} isn't allowed as an ONBUILD trigger` });
        else if (!KEYWORDS.has(instr.keyword))
          out.push({ ...at, message: `unknown instruction ${instr.keyword} in ONBUILD` });
        continue;
      }
      if (!KEYWORDS.has(instr.keyword)) out.push({ ...at, message: `unknown instruction ${instr.keyword}` });
      else if (instr.keyword === 'FROM') {
        seenFrom = true;
        const words = instr.rest.split(/\s+/).filter(Boolean);
        if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === 'as')))
          out.push({ ...at, message: `FROM takes an image and an optional "AS name", got "${instr.rest}"` });
      } else if (!seenFrom && instr.keyword !== 'ARG')
        out.push({ ...at, message: `${instr.keyword} before the first FROM (only ARG may come first)` });
    }
    if (!seenFrom) out.push({ line: 1, column: 1, length: 1, message: 'no FROM instruction: nothing to build' });
    return out;
  },
};
