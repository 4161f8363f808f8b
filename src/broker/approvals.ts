// The broker's side of `cida-docker approval …`: the request as the developer sent it (the
// Dockerfile's bytes travel in it), linted here with the project's Dockerfile rules, the
// repository checked against the policy, reviewers checked against the policy, and the decision
// kept in the root-owned approvals store (src/approvals/store.ts). The store directory is created
// by the broker on first use, root:root 0700 (files 0600); `setup` need not create it.
//
// Answers go to stdout as one JSON object (the front end formats them; a hand-written request
// reads them as they are), the reason for a refusal also to stderr in words:
//   request  {"approval": View, "created": bool}  or, refused for findings, {"file", "findings"}
//   list     {"approvals": View[]} (without the Dockerfile's bytes)
//   show, approve, reject, revoke  {"approval": View}
// View = the stored Approval plus "shortId" (the unique id to type, 12 hex digits or more).
import { lintDockerfile } from '../dockerfile/index.js';
import { isFromRegistry, parseImageReference, ReferenceError } from '../docker/reference.js';
import { EXIT } from '../exit-codes.js';
import { type Policy, PolicyError } from '../policy/policy.js';
import { type Approval, ApprovalError, ApprovalStore, StoreError } from '../approvals/store.js';
import type { Verdict } from './audit.js';
import { type Caller, isListed } from './identity.js';
import { APPROVALS_DIR } from './paths.js';
import type { ApprovalRequest } from './request.js';

/** The real store, as the broker opens it (parent directory checked too). */
export function brokerStore(): ApprovalStore {
  return new ApprovalStore({ root: APPROVALS_DIR, owner: 0, checkParent: true });
}

export interface ApprovalOutcome {
  readonly exit: number;
  readonly verdict: Verdict;
  /** Ids of what refused it (Dockerfile rules, or approval-reviewer, approval-self, approval-state…). */
  readonly rules: readonly string[];
  /** For the audit line: what was asked, as a command line (note and reason included). */
  readonly argv: readonly string[];
  /** The approval's 12-digit id, when the request named or created one. */
  readonly approval?: string;
  readonly note?: string;
}

export type RepositoryCheck = { ok: true; repository: string } | { ok: false; usage: boolean; message: string };

/**
 * `--repo`: a repository `host[:port]/path` exactly as docker names it (no tag, no digest, the
 * registry written out), inside the policy's trustedRegistries.
 */
export function checkRepository(repo: string, policy: Policy): RepositoryCheck {
  const example = `${policy.trustedRegistries[0] ?? 'registry.example.internal'}/team/app`;
  let ref;
  try {
    ref = parseImageReference(repo);
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return {
      ok: false,
      usage: true,
      message: `--repo ${JSON.stringify(repo)} is not a repository name docker accepts (${e.message}); write host[:port]/path, e.g. ${example}`,
    };
  }
  if (ref.tag !== undefined || ref.digest !== undefined)
    return {
      ok: false,
      usage: true,
      message: `--repo ${repo}: give the repository without a :tag or @digest (e.g. ${example}); the approval covers every tag in it`,
    };
  const full = `${ref.domain}/${ref.path}`;
  if (ref.domain === '' || full !== repo)
    return {
      ok: false,
      usage: true,
      message: `--repo ${repo}: write the registry out, host[:port]/path (docker reads this as ${ref.domain === '' ? ref.path : full}), e.g. ${example}`,
    };
  if (!isFromRegistry(ref, policy.trustedRegistries))
    return {
      ok: false,
      usage: false,
      message: `--repo ${repo}: registry ${ref.domain} is not trusted (policy trustedRegistries: ${policy.trustedRegistries.join(', ') || 'none'}); images may be published only there, e.g. ${example}`,
    };
  return { ok: true, repository: full };
}

/** True when image name `tag` lies in `repository` (`host[:port]/path`, compared exactly as docker reads the name). */
export function tagInRepository(tag: string, repository: string): boolean {
  try {
    const ref = parseImageReference(tag);
    return ref.domain !== '' && `${ref.domain}/${ref.path}` === repository;
  } catch {
    return false;
  }
}

function view(store: ApprovalStore, a: Approval, withBytes: boolean): Record<string, unknown> {
  const { dockerfile, ...rest } = a;
  return { ...rest, shortId: store.shortId(a), ...(withBytes ? { dockerfile } : {}) };
}

function say(text: string): void {
  process.stderr.write(`cida-docker: ${text}\n`);
}

function reply(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function argvOf(req: ApprovalRequest): string[] {
  return [
    'approval',
    req.action,
    ...(req.id ? [req.id] : []),
    ...(req.file ? ['-f', req.file] : []),
    ...(req.repo ? ['--repo', req.repo] : []),
    ...(req.state ? ['--state', req.state] : []),
    ...(req.note ? ['--note', req.note] : []),
    ...(req.reason ? ['--reason', req.reason] : []),
  ];
}

const REFUSAL: Record<ApprovalError['code'], { exit: number; verdict: Verdict; rule?: string }> = {
  'not-found': { exit: EXIT.usage, verdict: 'usage' },
  ambiguous: { exit: EXIT.usage, verdict: 'usage' },
  conflict: { exit: EXIT.refused, verdict: 'refused', rule: 'approval-conflict' },
  transition: { exit: EXIT.refused, verdict: 'refused', rule: 'approval-state' },
  'self-approval': { exit: EXIT.refused, verdict: 'refused', rule: 'approval-self' },
};

/** Runs one approval request for `caller`. Never throws for bad input or a bad store. */
export function approvalRequest(
  req: ApprovalRequest,
  caller: Caller,
  policy: Policy,
  store: ApprovalStore = brokerStore(),
): ApprovalOutcome {
  const argv = argvOf(req);
  const me = { user: caller.user, uid: caller.uid };
  let approvalId: string | undefined = req.id?.slice(0, 12);
  const done = (exit: number, verdict: Verdict, extra: { rules?: string[]; note?: string } = {}): ApprovalOutcome => ({
    exit,
    verdict,
    rules: extra.rules ?? [],
    argv,
    ...(approvalId ? { approval: approvalId } : {}),
    ...(extra.note ? { note: extra.note } : {}),
  });
  // The audit line names the approval by its 12 digits even when the request gave a prefix.
  const resolveId = (): void => {
    if (req.id === undefined || req.id.length >= 12) return;
    try {
      approvalId = store.get(req.id).id;
    } catch {
      // unknown or ambiguous: the line keeps what was asked
    }
  };
  const refuse = (rule: string, message: string): ApprovalOutcome => {
    resolveId();
    say(message);
    return done(EXIT.refused, 'refused', { rules: [rule], note: message });
  };
  try {
    switch (req.action) {
      case 'list':
        reply({ approvals: store.list(req.state ? { state: req.state } : {}).map((a) => view(store, a, false)) });
        return done(EXIT.ok, 'allowed');
      case 'show': {
        const a = store.get(req.id!);
        approvalId = a.id;
        reply({ approval: view(store, a, true) });
        return done(EXIT.ok, 'allowed');
      }
      case 'request': {
        const bytes = Buffer.from(req.dockerfile!, 'base64');
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          say('the Dockerfile is not UTF-8 text; save it as UTF-8 and request again');
          return done(EXIT.usage, 'usage', { note: 'Dockerfile not UTF-8' });
        }
        const repo = checkRepository(req.repo!, policy);
        if (!repo.ok) {
          if (repo.usage) {
            say(repo.message);
            return done(EXIT.usage, 'usage', { note: repo.message });
          }
          return refuse('approval-repository', repo.message);
        }
        const file = req.file ?? 'Dockerfile';
        const lint = lintDockerfile(text, policy, { file });
        if (!lint.approvable) {
          const errors = lint.findings.filter((f) => f.severity === 'error');
          reply({ file, findings: lint.findings });
          const message = `${file} cannot be approved: ${errors.length} error finding${errors.length === 1 ? '' : 's'} (${[...new Set(errors.map((f) => f.rule))].join(', ')}); fix ${errors.length === 1 ? 'it' : 'them'} (\`cida-docker lint ${file}\`) and request again`;
          say(message);
          return done(EXIT.refused, 'refused', { rules: [...new Set(errors.map((f) => f.rule))], note: message });
        }
        const r = store.request({
          dockerfile: bytes,
          repository: repo.repository,
          requester: me,
          ...(req.note ? { note: req.note } : {}),
          findings: lint.findings,
        });
        approvalId = r.approval.id;
        reply({ approval: view(store, r.approval, false), created: r.created });
        return done(EXIT.ok, 'allowed', { note: r.created ? 'requested' : 'already requested (idempotent)' });
      }
      case 'approve':
      case 'reject':
      case 'revoke': {
        if (!isListed(caller, policy.reviewers))
          return refuse(
            'approval-reviewer',
            `only reviewers (policy "reviewers") may ${req.action} approvals; ${caller.user} is not one. Ask a reviewer: \`cida-docker approval list --state pending\` shows them the queue`,
          );
        const a = store.transition(req.id!, req.action, me, req.action === 'approve' ? req.note : req.reason);
        approvalId = a.id;
        reply({ approval: view(store, a, false) });
        return done(EXIT.ok, 'allowed', { note: `${a.history[a.history.length - 1].from} → ${a.state}` });
      }
    }
  } catch (e) {
    if (e instanceof ApprovalError) {
      const r = REFUSAL[e.code];
      if (e.code !== 'not-found' && e.code !== 'ambiguous') resolveId();
      say(e.message);
      return done(r.exit, r.verdict, { ...(r.rule ? { rules: [r.rule] } : {}), note: e.message });
    }
    if (e instanceof StoreError || e instanceof PolicyError) {
      const message = e instanceof StoreError ? `approvals store: ${e.message}` : `bad policy: ${e.message}`;
      say(message);
      return done(EXIT.badPolicy, e instanceof StoreError ? 'error' : 'bad-policy', { note: message });
    }
    say(`internal error: ${(e as Error).message}`);
    return done(EXIT.internal, 'error', { note: String((e as Error).message) });
  }
}
