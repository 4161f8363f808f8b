import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Rm extends Command {
  static override summary = "Remove one or more of your containers.";
  static override description = "Like docker rm. Flags are docker's own (see `docker rm --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> rm -f web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['rm', ...this.argv]);
  }
}
