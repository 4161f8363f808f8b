import { Args, Command, Flags } from '@oclif/core';
import fs from 'node:fs';
import { EXIT } from '../exit-codes.js';
import { formatJson } from '../dockerfile/format/json.js';
import { formatSarif } from '../dockerfile/format/sarif.js';
import { formatTty } from '../dockerfile/format/tty.js';
import { lintDockerfile, ruleSeverities, type LintResult } from '../dockerfile/index.js';
import { loadPolicy } from '../policy/load.js';
import { POLICY_PATH, PolicyError, type Policy } from '../policy/policy.js';

export default class Lint extends Command {
  static override summary = 'Check Dockerfiles against the review rules a reviewer approves them by.';
  static override description =
    'Reads each Dockerfile the way the builder does and reports, rule by rule, what stands between it and approval: images from outside the trusted registry, a root final user, unpinned tags, remote ADD, secrets in ENV/ARG, downloads piped into a shell, sudo, world-writable files (errors), and advice (info). Exit 0 when no finding is an error, 1 when one is, 2 for a usage error, 78 for a bad policy file. An advisory finding can be silenced with a "# cida-docker ignore=<rule-id>" comment above the instruction; an error cannot.';
  static override examples = [
    '<%= config.bin %> lint',
    '<%= config.bin %> lint services/api/Dockerfile services/web/Dockerfile',
    'cat Dockerfile | <%= config.bin %> lint -',
    '<%= config.bin %> lint --format sarif Dockerfile > lint.sarif',
  ];
  static override strict = false;
  static override args = {
    file: Args.string({ description: 'Dockerfile(s) to check, "-" for standard input (default: ./Dockerfile)' }),
  };
  static override flags = {
    format: Flags.option({ options: ['tty', 'json', 'sarif'] as const, default: 'tty' as const, description: 'output: tty (like a compiler), json (one object per file, one per line), sarif (SARIF 2.1.0)' })(),
    policy: Flags.string({ description: 'policy file giving the trusted registries and rule severities', default: POLICY_PATH }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Lint);
    const files = (argv as string[]).length > 0 ? (argv as string[]) : ['Dockerfile'];

    let policy: Policy;
    try {
      policy = loadPolicy(flags.policy);
      ruleSeverities(policy);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      process.stderr.write(`cida-docker lint: bad policy: ${e.message}\n`);
      return this.exit(EXIT.badPolicy);
    }

    const inputs: { file: string; text: string }[] = [];
    for (const file of files) {
      try {
        inputs.push({ file, text: fs.readFileSync(file === '-' ? 0 : file, 'utf8') });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
        process.stderr.write(`cida-docker lint: cannot read ${file}: ${why}\n`);
        return this.exit(EXIT.usage);
      }
    }

    const results: LintResult[] = inputs.map((i) => lintDockerfile(i.text, policy, { file: i.file }));
    if (flags.format === 'json') for (const r of results) process.stdout.write(`${formatJson(r)}\n`);
    else if (flags.format === 'sarif') process.stdout.write(`${formatSarif(results, { version: this.config.version })}\n`);
    else {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      process.stdout.write(`${results.map((r, i) => formatTty(r, inputs[i].text, { color })).join('\n\n')}\n`);
    }
    return this.exit(results.every((r) => r.approvable) ? EXIT.ok : 1);
  }
}
