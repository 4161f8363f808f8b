import { Command, Flags } from '@oclif/core';
import { runList } from '../../cli/approval.js';

export default class ApprovalListCommand extends Command {
  static override summary = 'List Dockerfile approvals and their state.';
  static override description =
    "Every approval the host keeps: its id (type any unique prefix of it), state (pending, approved, rejected, revoked), repository, who requested it, when it last changed, and the requester's note.";
  static override examples = [
    '<%= config.bin %> approval list',
    '<%= config.bin %> approval list --state pending',
    '<%= config.bin %> approval list --state approved --json',
  ];
  static override flags = {
    state: Flags.option({
      options: ['pending', 'approved', 'rejected', 'revoked'] as const,
      description: 'only approvals in this state',
    })(),
    json: Flags.boolean({ description: 'print the approvals as a JSON array' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ApprovalListCommand);
    process.exitCode = await runList({ state: flags.state, json: flags.json });
  }
}
