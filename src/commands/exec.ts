import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Exec extends Command {
  static override summary = "Run a command in one of your running containers.";
  static override description = "Like docker exec; never as root and never privileged. Flags are docker's own (see `docker exec --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> exec -it web sh"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['exec', ...this.argv]);
  }
}
