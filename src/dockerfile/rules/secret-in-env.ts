import { locate, nameValuePairs } from '../model.js';
import { splitWords } from '../parse.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';

/** Names that hold credentials. `*_FILE` names hold a path to a mounted secret and are fine. */
const SECRET =
  /PASSW(?:OR)?D|PASSPHRASE|SECRET|TOKEN(?!IZ)|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|AUTH_?KEY|^AWS_/i;

export function isSecretName(name: string): boolean {
  return SECRET.test(name) && !/_FILE$/i.test(name);
}

export const rule: DockerfileRule = {
  id: 'secret-in-env',
  severity: 'error',
  title: 'Secret in ENV or ARG',
  reason:
    'ENV values are stored in the image and ARG values in its build history: anyone who can pull the image reads them.',
  fix: 'Pass secrets at build time with RUN --mount=type=secret,id=… and at run time from the environment or a mounted file (NAME_FILE=/run/secrets/…), never in ENV or ARG.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      let names: string[];
      if (instr.keyword === 'ENV') names = nameValuePairs(instr.rest, df.escape).map((p) => p.name);
      else if (instr.keyword === 'ARG') names = splitWords(instr.rest, df.escape).map((w) => w.split('=')[0]);
      else continue;
      for (const name of names)
        if (isSecretName(name))
          out.push({
            instruction: instr,
            ...locate(df, instr, name),
            message: `${instr.keyword} ${name} looks like a secret: its value would be stored in the image${instr.keyword === 'ARG' ? "'s build history" : ''}`,
          });
    }
    return out;
  },
};
