import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Stop extends Command {
  static override summary = "Stop one or more of your containers.";
  static override description = "Like docker stop. Flags are docker's own (see `docker stop --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> stop web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['stop', ...this.argv]);
  }
}
