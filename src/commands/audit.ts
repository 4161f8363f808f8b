import { Command } from '@oclif/core';
import { AUDIT_FLAGS, runAudit } from '../cli/audit.js';
import { oclifFlags } from './own-flag-spec.js';

export default class Audit extends Command {
  static override summary = 'Read the audit trail (administrators and reviewers).';
  static override description =
    'Two lines per request the broker received, paired by id: its decision, written before it acts, and its outcome, written when it ends. Who (from sudo), the command (secrets redacted), the verdict and rule ids, the docker command that ran, its exit code and duration; the working directory and CI job as the caller claimed them (claims). The table shows one row per request; EXIT "-" marks a decision with no outcome (still running, or the broker was killed). The log is root\'s; it is read through the broker, for the policy\'s admins and reviewers only.';
  static override examples = [
    '<%= config.bin %> audit --since 2h',
    '<%= config.bin %> audit --user cida-dev1 --since 2024-05-01 --json',
  ];
  static override strict = false;
  static override flags = oclifFlags(AUDIT_FLAGS);

  async run(): Promise<void> {
    process.exitCode = await runAudit(this.argv);
  }
}
