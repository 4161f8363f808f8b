import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

const calls: { action: string; fields: Record<string, unknown> }[] = [];
let answers: Record<string, unknown>[] = [];
vi.mock('./broker-client.js', () => ({
  callBroker: async (req: Record<string, unknown>) => {
    const fields = { ...req };
    for (const k of ['v', 'kind', 'cwd', 'action']) delete fields[k];
    calls.push({ action: req.action as string, fields });
    const a = answers.shift() ?? {};
    const { code = 0, ...body } = a as { code?: number };
    return { code, stdout: Object.keys(body).length ? JSON.stringify(body) : '' };
  },
}));
const prompts: unknown[] = [];
vi.mock('@inquirer/prompts', () => ({
  select: async () => prompts.shift(),
  input: async () => prompts.shift(),
}));

const { formatList, formatShow, visible, runRequest, runDecision } = await import('./approval.js');
const { runReview } = await import('./approval-review.js');

const SHA = 'ab'.repeat(32);
const view = (over: Record<string, unknown> = {}) => ({
  v: 1,
  id: SHA.slice(0, 12),
  shortId: SHA.slice(0, 12),
  sha256: SHA,
  repository: 'registry.example.internal/team/app',
  requester: { user: 'dev1', uid: 1001 },
  time: '2026-01-01T00:00:00.000Z',
  note: 'please',
  findings: [],
  state: 'pending',
  history: [
    {
      action: 'request',
      from: null,
      to: 'pending',
      by: { user: 'dev1', uid: 1001 },
      time: '2026-01-01T00:00:00.000Z',
      note: 'please',
      repository: 'registry.example.internal/team/app',
    },
  ],
  ...over,
});

let out = '';
let err = '';
beforeEach(() => {
  calls.length = 0;
  answers = [];
  prompts.length = 0;
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('display', () => {
  test('text from other people is shown with control characters escaped', () => {
    expect(visible('ok\x1b]0;pwned\x07 \u202eevil\nnext\ttab')).toBe(
      'ok\\u{1b}]0;pwned\\u{7} \\u{202e}evil\nnext\ttab',
    );
  });
  test('list and show', () => {
    expect(formatList([])).toBe('No approvals.\n');
    expect(formatList([view() as never])).toMatch(
      /^ID +STATE +REPOSITORY +REQUESTER +UPDATED +NOTE\nabababababab +pending +registry\.example\.internal\/team\/app +dev1 +2026-01-01T00:00:00Z +please\n$/,
    );
    const df = 'FROM x\nRUN echo \x1b[2J\n';
    const text = formatShow(view({ dockerfile: Buffer.from(df).toString('base64') }) as never);
    expect(text).toContain('RUN echo \\u{1b}[2J');
    expect(text).not.toContain('\x1b');
    expect(text).toMatch(
      /History:\n {2}2026-01-01T00:00:00Z {2}dev1 \(uid 1001\) {2}request → pending {2}registry\.example\.internal\/team\/app: please/,
    );
  });
});

describe('request', () => {
  test('a file that cannot be read is a usage error naming it; nothing reaches the broker', async () => {
    expect(await runRequest({ file: '/nonexistent/Dockerfile', repo: 'r/x' })).toBe(2);
    expect(err).toMatch(/cannot read \/nonexistent\/Dockerfile: no such file/);
    expect(await runRequest({ file: '/tmp', repo: 'r/x' })).toBe(2);
    expect(err).toMatch(/is a directory/);
    expect(calls).toEqual([]);
  });
});

describe('decisions', () => {
  test('a refusal passes the broker code through and prints nothing on stdout', async () => {
    answers = [{ code: 77 }];
    expect(await runDecision('approve', { id: 'abab', text: 'ok' })).toBe(77);
    expect(calls).toEqual([{ action: 'approve', fields: { id: 'abab', note: 'ok' } }]);
    expect(out).toBe('');
    answers = [{ approval: view({ state: 'rejected' }) }];
    expect(await runDecision('reject', { id: 'abab', text: 'no' })).toBe(0);
    expect(calls[1].fields).toEqual({ id: 'abab', reason: 'no' });
    expect(out).toBe('abababababab rejected (registry.example.internal/team/app)\n');
  });
});

describe('review', () => {
  test('non-interactive (--yes): the queue and the commands to run, no prompt', async () => {
    answers = [{ approvals: [view()] }];
    expect(await runReview({ yes: true })).toBe(0);
    expect(out).toContain('abababababab');
    expect(err).toMatch(/Not prompting .*approval approve ID/s);
    expect(calls.map((c) => c.action)).toEqual(['list']);
  });

  test('interactive: pick, read, reject with a reason, then the queue is empty', async () => {
    // A reviewer at a terminal: not CI (which .ci/run sets), stdin and stdout are TTYs.
    vi.stubEnv('CI', '');
    vi.spyOn(process, 'stdin', 'get').mockReturnValue({ isTTY: true } as never);
    const stdoutTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      answers = [
        { approvals: [view()] },
        { approval: view({ dockerfile: Buffer.from('FROM x\n').toString('base64') }) },
        { approval: view({ state: 'rejected' }) },
        { approvals: [] },
      ];
      prompts.push(SHA.slice(0, 12), 'reject', ' pin the base ');
      expect(await runReview({})).toBe(0);
      expect(calls.map((c) => c.action)).toEqual(['list', 'show', 'reject', 'list']);
      expect(calls[2].fields).toEqual({ id: SHA.slice(0, 12), reason: 'pin the base' });
      expect(out).toContain('--- Dockerfile ---\nFROM x\n--- end ---');
      expect(out).toContain('No pending requests.');
    } finally {
      if (stdoutTTY) Object.defineProperty(process.stdout, 'isTTY', stdoutTTY);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });
});
