import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Restart extends Command {
  static override summary = "Restart one or more of your containers.";
  static override description = "Like docker restart. Flags are docker's own (see `docker restart --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> restart web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['restart', ...this.argv]);
  }
}
