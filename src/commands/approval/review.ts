import { Command, Flags } from '@oclif/core';
import { runReview } from '../../cli/approval-review.js';

export default class ApprovalReviewCommand extends Command {
  static override summary = 'Work through the pending Dockerfiles interactively (reviewers).';
  static override description = [
    'Pick a pending request, read its Dockerfile with the lint findings and history, then approve it (optional note), reject it (with a reason) or skip it. Your own requests cannot be approved by you.',
    'With no terminal, --yes or CI=true it never prompts: it lists the pending requests and names the commands that decide (approval show / approve / reject).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> approval review',
    'CI=true <%= config.bin %> approval review   # the queue, no prompts',
  ];
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'never prompt: list the queue and the commands to decide' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ApprovalReviewCommand);
    process.exitCode = await runReview({ yes: flags.yes });
  }
}
