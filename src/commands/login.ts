import { Command } from '@oclif/core';
import { runDockerVerb } from '../cli/docker-verb.js';

export default class Login extends Command {
  static override summary = "Log in to the trusted registry (the login is kept for you alone).";
  static override description = "Like docker login; the credentials are stored per user by the broker, never in a shared docker config. Prefer --password-stdin. Flags are docker's own (see `docker login --help`), checked against this host's policy.";
  static override examples = ["echo \"$TOKEN\" | <%= config.bin %> login -u me --password-stdin registry.example.internal:5000"];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runDockerVerb(['login', ...this.argv]);
  }
}
