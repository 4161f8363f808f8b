import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Ps extends Command {
  static override summary = "List your containers (administrators: all).";
  static override description = "Like docker ps; shows only the containers you started. -a, -q, --format and --filter work as in docker. Flags are docker's own (see `docker ps --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> ps -a", "<%= config.bin %> ps -q --filter status=exited"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['ps', ...this.argv]);
  }
}
