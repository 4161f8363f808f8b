import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Run extends Command {
  static override summary = "Run a container from a trusted image: detached, ports published, hardened, as a non-root user.";
  static override description = "Always runs detached with all ports published (-d -P), with the policy's hardening (no-new-privileges, cap-drop ALL, pids limit) and owner labels. Without -d it behaves like docker's foreground run: streams the logs, waits, exits with the container's exit code (and removes it with --rm); -it on a terminal attaches. Prints the container id alone on stdout with -d. Flags are docker's own (see `docker run --help`), checked against this host's policy.";
  static override examples = ["<%= config.bin %> run -d -p 8080 registry.example.internal:5000/team/web:1", "CID=$(<%= config.bin %> run -d registry.example.internal:5000/team/web:1)", "<%= config.bin %> run --rm registry.example.internal:5000/team/build:1 make test"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['run', ...this.argv]);
  }
}
