import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Info extends Command {
  static override summary = "Display system-wide information about the engine.";
  static override description = "Like docker info. Flags are docker's own (see `docker info --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> info --format '{{.ServerVersion}}'"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['info', ...this.argv]);
  }
}
