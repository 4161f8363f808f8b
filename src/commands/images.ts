import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Images extends Command {
  static override summary = "List images.";
  static override description = "Like docker images. Flags are docker's own (see `docker images --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> images"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['images', ...this.argv]);
  }
}
