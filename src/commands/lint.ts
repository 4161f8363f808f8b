import { Args, Command } from '@oclif/core';
import { LINT_FLAGS, runLint } from '../cli/lint.js';
import { oclifFlags } from './own-flag-spec.js';

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
  static override flags = oclifFlags(LINT_FLAGS);

  async run(): Promise<void> {
    // Parsed once, by runLint (the lean entry runs the same code); oclif reads the flags above for help only.
    process.exitCode = runLint(this.argv);
  }
}
