import { Args, Command, Flags } from '@oclif/core';
import { runDecision } from '../../cli/approval.js';

export default class ApprovalApproveCommand extends Command {
  static override summary = 'Approve a pending Dockerfile (reviewers; never your own request).';
  static override examples = [
    '<%= config.bin %> approval approve 3f2a9c1b7d04 --note "base image pinned, runs as 10001"',
  ];
  static override args = {
    id: Args.string({ description: 'approval id, or a unique prefix of it', required: true }),
  };
  static override flags = {
    note: Flags.string({ description: 'a word for the record' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApprovalApproveCommand);
    process.exitCode = await runDecision('approve', { id: args.id, text: flags.note });
  }
}
