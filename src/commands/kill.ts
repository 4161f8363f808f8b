import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Kill extends Command {
  static override summary = "Kill one or more of your running containers.";
  static override description = "Like docker kill. Flags are docker's own (see `docker kill --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> kill -s HUP web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['kill', ...this.argv]);
  }
}
