import { Command, Flags } from '@oclif/core';
import { runAudit } from '../cli/audit.js';

export default class Audit extends Command {
  static override summary = 'Read the audit trail (administrators and reviewers).';
  static override description =
    'One line per decision the broker made: who, from where, the command (secrets redacted), the verdict and rule ids, the docker command that ran, its exit code and duration. The log is root\'s; it is read through the broker, for the policy\'s admins and reviewers only.';
  static override examples = ['<%= config.bin %> audit --since 2h', '<%= config.bin %> audit --user cida-dev1 --since 2024-05-01 --json'];
  static override strict = false;
  static override flags = {
    user: Flags.string({ description: 'only the decisions of this user' }),
    since: Flags.string({ description: 'only decisions since a duration ago (30m, 2h, 7d) or an ISO date' }),
    json: Flags.boolean({ description: 'print the records as JSON lines' }),
  };

  async run(): Promise<void> {
    process.exitCode = await runAudit(this.argv);
  }
}
