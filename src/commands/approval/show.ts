import { Args, Command, Flags } from '@oclif/core';
import { runShow } from '../../cli/approval.js';

export default class ApprovalShowCommand extends Command {
  static override summary = 'Show one approval: the Dockerfile, its lint findings and its history.';
  static override examples = [
    '<%= config.bin %> approval show 3f2a9c1b7d04',
    '<%= config.bin %> approval show 3f2a --json',
  ];
  static override args = {
    id: Args.string({ description: 'approval id, or a unique prefix of it (at least 4 hex digits)', required: true }),
  };
  static override flags = {
    json: Flags.boolean({ description: 'print the approval as JSON (dockerfile is base64, dockerfileText the text)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApprovalShowCommand);
    process.exitCode = await runShow({ id: args.id, json: flags.json });
  }
}
