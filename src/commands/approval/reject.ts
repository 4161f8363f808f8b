import { Args, Command, Flags } from '@oclif/core';
import { runDecision } from '../../cli/approval.js';

export default class ApprovalRejectCommand extends Command {
  static override summary = 'Reject a pending Dockerfile, with the reason (reviewers).';
  static override examples = ['<%= config.bin %> approval reject 3f2a9c1b7d04 --reason "pin the base image by digest"'];
  static override args = {
    id: Args.string({ description: 'approval id, or a unique prefix of it', required: true }),
  };
  static override flags = {
    reason: Flags.string({ description: 'why: the requester reads it', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApprovalRejectCommand);
    process.exitCode = await runDecision('reject', { id: args.id, text: flags.reason });
  }
}
