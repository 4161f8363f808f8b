// The front end of `cida-docker approval …`: reads the Dockerfile as the developer, hands the
// request to the broker (which alone decides and keeps the store), and formats its JSON answer.
// Everything from the store is text other people wrote: shown with control characters escaped.
import fs from 'node:fs';
import type { Approval, StoredFinding } from '../approvals/store.js';
import { type ApprovalRequest, MAX_DOCKERFILE_TEXT } from '../broker/request.js';
import { formatTty } from '../dockerfile/format/tty.js';
import { EXIT } from '../exit-codes.js';
import { callBroker } from './broker-client.js';

export type ApprovalView = Omit<Approval, 'dockerfile'> & { readonly shortId: string; readonly dockerfile?: string };
type Action = ApprovalRequest['action'];
type Fields = Omit<ApprovalRequest, 'v' | 'kind' | 'cwd' | 'action'>;

export interface Reply {
  readonly code: number;
  readonly approval?: ApprovalView;
  readonly approvals?: ApprovalView[];
  readonly created?: boolean;
  readonly findings?: StoredFinding[];
  readonly file?: string;
}

const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** One broker call; the broker's words go to stderr, its JSON answer is parsed. */
export async function ask(action: Action, fields: Fields): Promise<Reply> {
  const { code, stdout = '' } = await callBroker(
    { v: 1, kind: 'approval', cwd: process.cwd(), action, ...fields },
    { captureStdout: true },
  );
  const text = stdout.trim();
  if (text === '') return { code };
  try {
    return { code, ...(JSON.parse(text) as object) };
  } catch {
    err('cida-docker: the broker answered something that is not JSON; run `cida-docker doctor`');
    return { code: code === EXIT.ok ? EXIT.internal : code };
  }
}

/** Text someone else wrote, safe on a terminal: control and bidi-override characters shown escaped. */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const unsafe = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
  return text.replace(unsafe, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

export function dockerfileText(a: ApprovalView): string {
  return a.dockerfile === undefined ? '' : Buffer.from(a.dockerfile, 'base64').toString('utf8');
}

function findingsText(file: string, text: string, findings: readonly StoredFinding[]): string {
  const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
  // Messages quote the Dockerfile; the file name is the requester's: all escaped.
  const shown = findings.map((f) => ({ ...f, message: visible(f.message), fix: visible(f.fix) }));
  return formatTty(
    { file: visible(file), approvable: !findings.some((f) => f.severity === 'error'), findings: shown },
    visible(text),
    { color },
  );
}

// ------------------------------------------------------------------ request

export interface RequestOptions {
  readonly file: string;
  readonly repo: string;
  readonly note?: string;
}

export async function runRequest(o: RequestOptions): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(o.file === '-' ? 0 : o.file);
  } catch (e) {
    const x = e as NodeJS.ErrnoException;
    const why =
      x.code === 'ENOENT'
        ? 'no such file (give its path with -f)'
        : x.code === 'EISDIR'
          ? 'is a directory (give the Dockerfile with -f)'
          : x.code === 'EACCES'
            ? 'permission denied'
            : x.message;
    err(`cida-docker approval request: cannot read ${o.file}: ${why}`);
    return EXIT.usage;
  }
  if (bytes.length === 0) {
    err(`cida-docker approval request: ${o.file} is empty`);
    return EXIT.usage;
  }
  if (bytes.length > MAX_DOCKERFILE_TEXT) {
    err(
      `cida-docker approval request: ${o.file} is ${bytes.length} bytes; an approval holds a Dockerfile of at most ${MAX_DOCKERFILE_TEXT} bytes`,
    );
    return EXIT.usage;
  }
  const r = await ask('request', {
    dockerfile: bytes.toString('base64'),
    repo: o.repo,
    file: o.file === '-' ? 'stdin' : o.file,
    ...(o.note ? { note: o.note } : {}),
  });
  const text = bytes.toString('utf8');
  if (r.findings && r.findings.length > 0) err(findingsText(r.file ?? o.file, text, r.findings));
  if (r.code !== EXIT.ok || !r.approval) return r.code === EXIT.ok ? EXIT.internal : r.code;
  const a = r.approval;
  if (a.findings.length > 0) err(findingsText(o.file, text, a.findings));
  err(
    r.created
      ? `Requested approval of ${o.file} for ${a.repository}: pending until a reviewer approves it (\`cida-docker approval show ${a.shortId}\`).`
      : `Already requested: approval ${a.shortId} for ${a.repository} is ${a.state}.`,
  );
  out(a.shortId);
  return EXIT.ok;
}

// ------------------------------------------------------------------ list / show

function when(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

export function formatList(list: readonly ApprovalView[]): string {
  if (list.length === 0) return 'No approvals.\n';
  const rows = list.map((a) => [
    a.shortId,
    a.state,
    a.repository,
    a.requester.user,
    when(a.history[a.history.length - 1].time),
    visible((a.note ?? '').split('\n')[0]),
  ]);
  const head = ['ID', 'STATE', 'REPOSITORY', 'REQUESTER', 'UPDATED', 'NOTE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

export async function runList(o: { state?: ApprovalView['state']; json?: boolean }): Promise<number> {
  const r = await ask('list', o.state ? { state: o.state } : {});
  if (r.code !== EXIT.ok) return r.code;
  const list = r.approvals ?? [];
  process.stdout.write(o.json ? `${JSON.stringify(list, null, 2)}\n` : formatList(list));
  return EXIT.ok;
}

export function formatShow(a: ApprovalView): string {
  const text = dockerfileText(a);
  const lines = [
    `approval  ${a.shortId}  (${a.state})`,
    `sha256    ${a.sha256}`,
    `repo      ${a.repository}`,
    `requested ${when(a.time)} by ${a.requester.user} (uid ${a.requester.uid})`,
    ...(a.note ? [`note      ${visible(a.note)}`] : []),
    '',
    '--- Dockerfile ---',
    visible(text).replace(/\n$/, ''),
    '--- end ---',
    '',
  ];
  if (a.findings.length > 0) lines.push('Findings:', findingsText('Dockerfile', text, a.findings), '');
  else lines.push('Findings: none', '');
  lines.push('History:');
  for (const h of a.history) {
    const words = h.note ?? h.reason;
    lines.push(
      `  ${when(h.time)}  ${h.by.user} (uid ${h.by.uid})  ${h.action}${h.from ? ` ${h.from} → ${h.to}` : ` → ${h.to}`}${h.repository ? `  ${h.repository}` : ''}${words ? `: ${visible(words)}` : ''}`,
    );
  }
  // What was published from it (the broker records every push: src/broker/images.ts).
  const pushes =
    (a as { pushes?: { name: string; digest: string; by: { user: string }; time: string }[] }).pushes ?? [];
  if (pushes.length > 0)
    lines.push(
      '',
      'Pushes:',
      ...pushes.map((p) => `  ${when(p.time)}  ${p.by.user}  ${visible(p.name)}  ${visible(p.digest)}`),
    );
  return `${lines.join('\n')}\n`;
}

export async function runShow(o: { id: string; json?: boolean }): Promise<number> {
  const r = await ask('show', { id: o.id });
  if (r.code !== EXIT.ok || !r.approval) return r.code === EXIT.ok ? EXIT.internal : r.code;
  if (o.json) out(JSON.stringify({ ...r.approval, dockerfileText: dockerfileText(r.approval) }, null, 2));
  else process.stdout.write(formatShow(r.approval));
  return EXIT.ok;
}

// ------------------------------------------------------------------ decisions

const PAST = { approve: 'approved', reject: 'rejected', revoke: 'revoked' } as const;

export async function runDecision(
  action: 'approve' | 'reject' | 'revoke',
  o: { id: string; text?: string },
): Promise<number> {
  const r = await ask(action, {
    id: o.id,
    ...(o.text !== undefined ? (action === 'approve' ? { note: o.text } : { reason: o.text }) : {}),
  });
  if (r.code !== EXIT.ok || !r.approval) return r.code === EXIT.ok ? EXIT.internal : r.code;
  out(`${r.approval.shortId} ${PAST[action]} (${r.approval.repository})`);
  return EXIT.ok;
}

/** True when the command must not prompt: no TTY on stdin or stdout, --yes, or CI=true. */
export function nonInteractive(yes: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(yes) || env.CI === 'true' || !process.stdin.isTTY || !process.stdout.isTTY;
}
