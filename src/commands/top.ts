import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Top extends Command {
  static override summary = "Display the processes of one of your containers.";
  static override description = "Like docker top. Flags are docker's own (see `docker top --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> top web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['top', ...this.argv]);
  }
}
