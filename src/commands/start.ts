import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Start extends Command {
  static override summary = "Start one or more of your stopped containers.";
  static override description = "Like docker start. Flags are docker's own (see `docker start --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> start web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['start', ...this.argv]);
  }
}
