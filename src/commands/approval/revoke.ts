import { Args, Command, Flags } from '@oclif/core';
import { runDecision } from '../../cli/approval.js';

export default class ApprovalRevokeCommand extends Command {
  static override summary = 'Revoke an approved Dockerfile: no later build or run of it (reviewers).';
  static override examples = ['<%= config.bin %> approval revoke 3f2a9c1b7d04 --reason "base image has CVE-2026-1234"'];
  static override args = {
    id: Args.string({ description: 'approval id, or a unique prefix of it', required: true }),
  };
  static override flags = {
    reason: Flags.string({ description: 'why: kept in its history and the audit trail', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApprovalRevokeCommand);
    process.exitCode = await runDecision('revoke', { id: args.id, text: flags.reason });
  }
}
