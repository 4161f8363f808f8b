import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Tag extends Command {
  static override summary = "Tag an image.";
  static override description = "Like docker tag. Flags are docker's own (see `docker tag --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> tag web:dev registry.example.internal:5000/team/web:1"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['tag', ...this.argv]);
  }
}
