import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Push extends Command {
  static override summary = "Push an approved image to the trusted registry.";
  static override description = "Like docker push, for the policy's trusted registries; your registry login is kept for you alone. Flags are docker's own (see `docker push --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> push registry.example.internal:5000/team/web:1"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['push', ...this.argv]);
  }
}
