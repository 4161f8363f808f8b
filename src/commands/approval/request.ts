import { Command, Flags } from '@oclif/core';
import { runRequest } from '../../cli/approval.js';

export default class ApprovalRequestCommand extends Command {
  static override summary = 'Ask a reviewer to approve a Dockerfile for building into one repository.';
  static override description = [
    "Sends the exact bytes of the Dockerfile (read as you) to the broker, which lints it with the review rules, refuses it (exit 77, findings shown) when a finding is an error, and otherwise records a pending approval in the host's store.",
    'The approval is for these bytes and this repository (host[:port]/path inside the trusted registry): builds may tag images only there. One changed byte is another Dockerfile, which needs its own approval.',
    "Requesting the same file and repository again changes nothing and prints the same id. The approval id (the first 12 hex digits of the file's sha256) is the last line printed.",
  ].join('\n');
  static override examples = [
    '<%= config.bin %> approval request --repo registry.example.internal/team/app',
    '<%= config.bin %> approval request -f services/api/Dockerfile --repo registry.example.internal/team/api --note "adds curl for the health check"',
    'ID=$(<%= config.bin %> approval request --repo registry.example.internal/team/app | tail -n1)',
  ];
  static override flags = {
    file: Flags.string({ char: 'f', description: 'the Dockerfile ("-" for standard input)', default: 'Dockerfile' }),
    repo: Flags.string({
      description: 'repository its images may be published to: host[:port]/path inside the trusted registry',
      required: true,
    }),
    note: Flags.string({ description: 'a word for the reviewer (what changed, why)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ApprovalRequestCommand);
    process.exitCode = await runRequest({ file: flags.file, repo: flags.repo, note: flags.note });
  }
}
