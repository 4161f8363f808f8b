// `cida-docker approval review`: the reviewer's queue, interactive (@inquirer/prompts). Pick a
// pending request, read the Dockerfile with its findings and history, approve (with an optional
// note) or reject (with a reason), or skip it. With no TTY, --yes or CI=true it never prompts: it
// lists the queue and says which commands decide.
import os from 'node:os';
import { input, select } from '@inquirer/prompts';
import { EXIT } from '../exit-codes.js';
import { ask, formatList, formatShow, nonInteractive, runDecision, visible } from './approval.js';

const HOW = [
  'Not prompting (no terminal, --yes, or CI=true). Decide with:',
  '  cida-docker approval show ID',
  '  cida-docker approval approve ID [--note TEXT]',
  '  cida-docker approval reject ID --reason TEXT',
].join('\n');

function me(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

export async function runReview(o: { yes?: boolean }): Promise<number> {
  if (nonInteractive(o.yes)) {
    const r = await ask('list', { state: 'pending' });
    if (r.code !== EXIT.ok) return r.code;
    process.stdout.write(formatList(r.approvals ?? []));
    process.stderr.write(`${HOW}\n`);
    return EXIT.ok;
  }
  const skipped = new Set<string>();
  const decided = new Set<string>();
  const user = me();
  try {
    for (;;) {
      const r = await ask('list', { state: 'pending' });
      if (r.code !== EXIT.ok) return r.code;
      const queue = (r.approvals ?? []).filter((a) => !skipped.has(a.sha256) && !decided.has(a.sha256));
      if (queue.length === 0) {
        process.stdout.write(
          skipped.size > 0 ? `No pending requests left (${skipped.size} skipped).\n` : 'No pending requests.\n',
        );
        return EXIT.ok;
      }
      const id = await select({
        message: `${queue.length} pending Dockerfile${queue.length === 1 ? '' : 's'}: which one?`,
        choices: [
          ...queue.map((a) => ({
            name: `${a.shortId}  ${a.repository}  by ${a.requester.user}${a.requester.user === user ? ' (yours)' : ''}  ${visible((a.note ?? '').split('\n')[0]).slice(0, 60)}`,
            value: a.shortId,
          })),
          { name: 'quit', value: '' },
        ],
      });
      if (id === '') return EXIT.ok;
      const shown = await ask('show', { id });
      if (shown.code !== EXIT.ok || !shown.approval) return shown.code;
      const a = shown.approval;
      process.stdout.write(`\n${formatShow(a)}\n`);
      const own = a.history.some((h) => h.action === 'request' && h.by.user === user);
      const errors = a.findings.filter((f) => f.severity === 'error').length;
      const action = await select({
        message: `Decision on ${a.shortId}${errors > 0 ? ` (${errors} error findings)` : ''}`,
        choices: [
          {
            name: 'approve',
            value: 'approve',
            disabled: own ? '(your own request: another reviewer must approve it)' : false,
          },
          { name: 'reject (with a reason)', value: 'reject' },
          { name: 'skip for now', value: 'skip' },
          { name: 'quit', value: 'quit' },
        ],
      });
      if (action === 'quit') return EXIT.ok;
      if (action === 'skip') {
        skipped.add(a.sha256);
        continue;
      }
      if (action === 'approve') {
        const note = await input({ message: 'Note for the record (optional):' });
        await runDecision('approve', { id: a.shortId, ...(note.trim() ? { text: note.trim() } : {}) });
      } else {
        const reason = await input({
          message: 'Reason (the requester reads it):',
          validate: (v) => v.trim() !== '' || 'a reason is required to reject',
        });
        await runDecision('reject', { id: a.shortId, text: reason.trim() });
      }
      decided.add(a.sha256);
    }
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') {
      process.stderr.write('\n');
      return 130;
    }
    throw e;
  }
}
