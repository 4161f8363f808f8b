import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Port extends Command {
  static override summary = "List the published ports of one of your containers.";
  static override description = "Like docker port. Flags are docker's own (see `docker port --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> port web 8080"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['port', ...this.argv]);
  }
}
