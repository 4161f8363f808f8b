// `cida-docker lint [FILE…] [--format tty|json|sarif] [--policy FILE]`: the Dockerfile rules,
// without oclif, so the lean entry runs it (help still goes to oclif).
import fs from 'node:fs';
import { formatJson } from '../dockerfile/format/json.js';
import { formatSarif } from '../dockerfile/format/sarif.js';
import { formatTty } from '../dockerfile/format/tty.js';
import { lintDockerfile, type LintResult, ruleSeverities } from '../dockerfile/index.js';
import { EXIT } from '../exit-codes.js';
import { loadPolicy } from '../policy/load.js';
import { type Policy, POLICY_PATH, PolicyError } from '../policy/policy.js';
import { OwnFlagError, type OwnFlagSpec, parseOwnFlags } from './own-flags.js';
import { ownVersion } from './own-version.js';

export const LINT_FORMATS = ['tty', 'json', 'sarif'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export const LINT_FLAGS: OwnFlagSpec = [
  {
    name: 'format',
    takesValue: true,
    description: 'output: tty (like a compiler), json (one object per file, one per line), sarif (SARIF 2.1.0)',
    default: 'tty',
    options: LINT_FORMATS,
  },
  {
    name: 'policy',
    takesValue: true,
    description: 'policy file giving the trusted registries and rule severities',
    default: POLICY_PATH,
  },
];

export interface LintArgs {
  readonly files: readonly string[];
  readonly format: LintFormat;
  readonly policy: string;
}

/** Reads lint's command line; a string is the usage error. */
export function parseLintArgs(argv: readonly string[]): LintArgs | string {
  let own;
  try {
    own = parseOwnFlags(argv, LINT_FLAGS, 'interspersed');
  } catch (e) {
    if (!(e instanceof OwnFlagError)) throw e;
    return e.message;
  }
  return {
    files: own.rest.length > 0 ? own.rest : ['Dockerfile'],
    format: own.values.get('format') as LintFormat,
    policy: own.values.get('policy') ?? POLICY_PATH,
  };
}

/** Runs lint; the exit code: 0 approvable, 1 an error finding, 2 usage, 78 bad policy. */
export function runLint(argv: readonly string[]): number {
  const args = parseLintArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`cida-docker lint: ${args}\nSee: cida-docker lint --help\n`);
    return EXIT.usage;
  }
  let policy: Policy;
  try {
    policy = loadPolicy(args.policy);
    ruleSeverities(policy);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    process.stderr.write(`cida-docker lint: bad policy: ${e.message}\n`);
    return EXIT.badPolicy;
  }
  const inputs: { file: string; text: string }[] = [];
  for (const file of args.files) {
    try {
      inputs.push({ file, text: fs.readFileSync(file === '-' ? 0 : file, 'utf8') });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      process.stderr.write(`cida-docker lint: cannot read ${file}: ${why}\n`);
      return EXIT.usage;
    }
  }
  const results: LintResult[] = inputs.map((i) => lintDockerfile(i.text, policy, { file: i.file }));
  if (args.format === 'json') for (const r of results) process.stdout.write(`${formatJson(r)}\n`);
  else if (args.format === 'sarif') process.stdout.write(`${formatSarif(results, { version: ownVersion() })}\n`);
  else {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    process.stdout.write(`${results.map((r, i) => formatTty(r, inputs[i].text, { color })).join('\n\n')}\n`);
  }
  return results.every((r) => r.approvable) ? EXIT.ok : 1;
}
