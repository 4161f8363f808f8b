import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Inspect extends Command {
  static override summary = "Show low-level information on your containers or on images.";
  static override description = "Like docker inspect, for your own containers and for images. Flags are docker's own (see `docker inspect --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> inspect --format '{{.State.Status}}' web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['inspect', ...this.argv]);
  }
}
