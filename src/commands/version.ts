import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Version extends Command {
  static override summary = "Show the Docker version information (and cida-docker's).";
  static override description = "Like docker version. `cida-docker -v` prints docker's own one-line version. Flags are docker's own (see `docker version --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> version"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['version', ...this.argv]);
  }
}
