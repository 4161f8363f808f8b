import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Stats extends Command {
  static override summary = "Display resource usage of your containers.";
  static override description = "Like docker stats. Flags are docker's own (see `docker stats --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> stats --no-stream"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['stats', ...this.argv]);
  }
}
