import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Wait extends Command {
  static override summary = "Block until your containers stop, then print their exit codes.";
  static override description = "Like docker wait. Flags are docker's own (see `docker wait --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> wait web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['wait', ...this.argv]);
  }
}
