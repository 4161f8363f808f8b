import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Rmi extends Command {
  static override summary = "Remove tags of your own builds (administrators: any image).";
  static override description = "Like docker rmi: a developer removes only names of images they built. Flags are docker's own (see `docker rmi --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> rmi registry.example.internal:5000/team/web:1"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['rmi', ...this.argv]);
  }
}
