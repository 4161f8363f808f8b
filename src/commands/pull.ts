import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Pull extends Command {
  static override summary = "Pull an image from the trusted registry.";
  static override description = "Like docker pull, for the policy's trusted registries. Flags are docker's own (see `docker pull --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> pull registry.example.internal:5000/base/busybox:1"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['pull', ...this.argv]);
  }
}
