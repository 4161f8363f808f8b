import { Command } from '@oclif/core';
import { CHECK_FLAGS, runCheck } from '../cli/check.js';
import { oclifFlags } from './own-flag-spec.js';

export default class Check extends Command {
  static override summary = 'Show the verdict and the exact docker argv a command would run, without running it.';
  static override description =
    'Parses the docker command line exactly as docker 28.2.2 does, checks it against every rule of the host policy and prints the verdict. Exit 0 when allowed, 77 when refused, 2 for a usage error, 78 for a bad policy file.';
  static override examples = [
    '<%= config.bin %> check -- run -p 8080 registry.example.internal/team/app:1.0',
    '<%= config.bin %> check --json -- run --privileged registry.example.internal/team/app:1.0',
  ];
  // Docker's own flags follow '--' and are read by our docker parser, not by oclif.
  static override strict = false;
  static override flags = oclifFlags(CHECK_FLAGS);

  async run(): Promise<void> {
    process.exitCode = await runCheck(this.argv);
  }
}
