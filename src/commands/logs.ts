import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Logs extends Command {
  static override summary = "Fetch the logs of one of your containers.";
  static override description = "Like docker logs; -f follows until Ctrl-C. Flags are docker's own (see `docker logs --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> logs -f web"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['logs', ...this.argv]);
  }
}
