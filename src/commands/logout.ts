import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Logout extends Command {
  static override summary = "Log out from a registry.";
  static override description = "Like docker logout. Flags are docker's own (see `docker logout --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> logout registry.example.internal:5000"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['logout', ...this.argv]);
  }
}
