import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApprovalStore } from '../approvals/store.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { approvalRequest, checkRepository, tagInRepository } from './approvals.js';
import { type ApprovalRequest, parseRequest, RequestError } from './request.js';

const POLICY: Policy = {
  ...DEFAULT_POLICY,
  trustedRegistries: ['registry.example.internal', 'registry.example.internal:5000'],
  reviewers: ['rev', 'dev1'],
};
const dev1 = { user: 'dev1', uid: 1001, viaSudo: true };
const dev2 = { user: 'dev2', uid: 1002, viaSudo: true };
const rev = { user: 'rev', uid: 1003, viaSudo: true };
const REPO = 'registry.example.internal/team/app';
const GOOD = [
  'FROM registry.example.internal/base/debian:12',
  'RUN echo hi',
  'USER 10001',
  'HEALTHCHECK CMD ["/bin/true"]',
  'CMD ["/app/run"]',
  '',
].join('\n');
const b64 = (s: string) => Buffer.from(s).toString('base64');

let store: ApprovalStore;
let out: string;
let err: string;
beforeEach(() => {
  store = new ApprovalStore({ root: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cida-appr-')), 'approvals') });
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function call(req: Omit<ApprovalRequest, 'v' | 'kind' | 'cwd'>, who = dev1) {
  out = '';
  err = '';
  const r = approvalRequest({ v: 1, kind: 'approval', cwd: '/home/x', ...req }, who, POLICY, store);
  return { ...r, json: out ? JSON.parse(out) : undefined, err };
}

describe('checkRepository', () => {
  test('host[:port]/path inside trustedRegistries', () => {
    expect(checkRepository(REPO, POLICY)).toEqual({ ok: true, repository: REPO });
    expect(checkRepository('registry.example.internal:5000/a/b', POLICY)).toMatchObject({ ok: true });
    expect(checkRepository('docker.io/library/alpine', POLICY)).toMatchObject({
      ok: false,
      usage: false,
      message: expect.stringContaining('not trusted'),
    });
    expect(checkRepository('registry.example.internal:5001/a', POLICY)).toMatchObject({ ok: false, usage: false });
    expect(checkRepository('team/app', POLICY)).toMatchObject({
      ok: false,
      usage: true,
      message: expect.stringContaining('write the registry out'),
    });
    expect(checkRepository(`${REPO}:1`, POLICY)).toMatchObject({
      ok: false,
      usage: true,
      message: expect.stringContaining('without a :tag'),
    });
    expect(checkRepository('Registry.example.internal/Team', POLICY)).toMatchObject({ ok: false, usage: true });
    expect(checkRepository('registry.example.internal', POLICY)).toMatchObject({ ok: false, usage: true });
  });
  test('tagInRepository compares the name as docker reads it', () => {
    expect(tagInRepository(`${REPO}:1.0`, REPO)).toBe(true);
    expect(tagInRepository(REPO, REPO)).toBe(true);
    expect(tagInRepository(`${REPO}/sub:1`, REPO)).toBe(false);
    expect(tagInRepository(`${REPO}x:1`, REPO)).toBe(false);
    expect(tagInRepository('app:1', REPO)).toBe(false);
  });
});

describe('request parsing', () => {
  const parse = (o: Record<string, unknown>) =>
    parseRequest(JSON.stringify({ v: 1, kind: 'approval', cwd: '/', ...o }));
  test('each action takes its own fields only', () => {
    expect(parse({ action: 'list' })).toMatchObject({ action: 'list' });
    expect(parse({ action: 'show', id: 'ABCDEF12' })).toMatchObject({ id: 'abcdef12' });
    expect(() => parse({ action: 'show' })).toThrow(/"id" is required/);
    expect(() => parse({ action: 'list', id: 'abcd' })).toThrow(/unknown request field "id"/);
    expect(() => parse({ action: 'approve', id: 'abcd', reason: 'x' })).toThrow(/unknown request field "reason"/);
    expect(() => parse({ action: 'reject', id: 'abcd' })).toThrow(/"reason" is required/);
    expect(() => parse({ action: 'reject', id: 'abcd', reason: ' ' })).toThrow(/a reason is required/);
    expect(() => parse({ action: 'approve', id: 'abcd', requester: 1001 })).toThrow(
      /unknown request field "requester"/,
    );
    expect(() => parse({ action: 'approve', id: 'abcd', uid: 0 })).toThrow(/unknown request field "uid"/);
    expect(() => parse({ action: 'promote', id: 'abcd' })).toThrow(/"action" must be one of/);
    expect(() => parse({ action: 'list', state: 'approvedd' })).toThrow(/"state" must be/);
  });
  test('ids, base64, lengths and human text are bounded', () => {
    expect(() => parse({ action: 'show', id: '../etc/passwd' })).toThrow(/not an approval id/);
    expect(() => parse({ action: 'show', id: 'abc' })).toThrow(/not an approval id/);
    expect(() => parse({ action: 'request', dockerfile: 'not base64!', repo: REPO })).toThrow(/canonical base64/);
    expect(() => parse({ action: 'request', dockerfile: 'QQ', repo: REPO })).toThrow(/canonical base64/);
    expect(() => parse({ action: 'request', dockerfile: b64('x'.repeat(70_000)), repo: REPO })).toThrow(RequestError);
    expect(() => parse({ action: 'request', dockerfile: b64(GOOD), repo: 'a b' })).toThrow(/printable ASCII/);
    expect(() => parse({ action: 'approve', id: 'abcd', note: 'ok\x1b]0;pwned\x07' })).toThrow(
      /control or bidirectional/,
    );
    expect(() => parse({ action: 'approve', id: 'abcd', note: 'ok\u202eevil' })).toThrow(/control or bidirectional/);
    expect(() => parse({ action: 'approve', id: 'abcd', note: 'x'.repeat(2001) })).toThrow(/too long/);
    expect(parse({ action: 'approve', id: 'abcd', note: 'line one\nline\ttwo' })).toMatchObject({
      note: 'line one\nline\ttwo',
    });
  });
});

describe('approvalRequest', () => {
  test('request → self-approval refused → non-reviewer refused → reviewer approves → revoke', () => {
    const r = call({ action: 'request', dockerfile: b64(GOOD), repo: REPO, note: 'please' });
    expect(r.exit).toBe(0);
    const id = r.json.approval.shortId;
    expect(id).toHaveLength(12);
    expect(r.approval).toBe(id);
    expect(r.json).toMatchObject({
      created: true,
      approval: { state: 'pending', repository: REPO, requester: { user: 'dev1', uid: 1001 } },
    });
    expect(r.json.approval.dockerfile).toBeUndefined();
    expect(call({ action: 'request', dockerfile: b64(GOOD), repo: REPO }).json.created).toBe(false);

    const self = call({ action: 'approve', id }, dev1);
    expect([self.exit, self.rules]).toEqual([77, ['approval-self']]);
    expect(self.err).toMatch(/nobody approves their own request/);
    const nonReviewer = call({ action: 'approve', id }, dev2);
    expect([nonReviewer.exit, nonReviewer.rules]).toEqual([77, ['approval-reviewer']]);
    expect(nonReviewer.err).toMatch(/only reviewers .* dev2 is not one/);
    expect(call({ action: 'approve', id: id.slice(0, 5) }, dev2).approval).toBe(id);

    const ok = call({ action: 'approve', id: id.slice(0, 6), note: 'fine' }, rev);
    expect(ok.exit).toBe(0);
    expect(ok.approval).toBe(id);
    expect(ok.json.approval.state).toBe('approved');

    const shown = call({ action: 'show', id }, dev2);
    expect(Buffer.from(shown.json.approval.dockerfile, 'base64').toString()).toBe(GOOD);
    expect(shown.json.approval.history.map((h: { action: string }) => h.action)).toEqual(['request', 'approve']);
    expect(
      call({ action: 'list', state: 'approved' }, dev2).json.approvals.map((a: { shortId: string }) => a.shortId),
    ).toEqual([id]);
    expect(call({ action: 'list', state: 'pending' }, dev2).json.approvals).toEqual([]);

    const again = call({ action: 'approve', id }, rev);
    expect([again.exit, again.rules]).toEqual([77, ['approval-state']]);
    expect(call({ action: 'revoke', id, reason: 'CVE-2026-1' }, dev2).exit).toBe(77);
    expect(call({ action: 'revoke', id, reason: 'CVE-2026-1' }, rev).json.approval.state).toBe('revoked');
    expect(store.isApproved(shown.json.approval.sha256)).toBe(false);
  });

  test('error findings refuse the request (77) with the findings; nothing is stored', () => {
    const bad = GOOD.replace('registry.example.internal/base/debian:12', 'docker.io/library/debian:12');
    const r = call({ action: 'request', dockerfile: b64(bad), repo: REPO, file: 'svc/Dockerfile' });
    expect(r.exit).toBe(77);
    expect(r.rules).toContain('untrusted-base');
    expect(r.json.file).toBe('svc/Dockerfile');
    expect(r.json.findings.some((f: { rule: string }) => f.rule === 'untrusted-base')).toBe(true);
    expect(r.err).toMatch(/svc\/Dockerfile cannot be approved: 1 error finding \(untrusted-base\)/);
    expect(store.list()).toEqual([]);
  });

  test('repository outside trustedRegistries → 77; malformed → 2; not UTF-8 → 2', () => {
    expect(call({ action: 'request', dockerfile: b64(GOOD), repo: 'docker.io/me/app' })).toMatchObject({
      exit: 77,
      rules: ['approval-repository'],
    });
    expect(call({ action: 'request', dockerfile: b64(GOOD), repo: 'team/app' })).toMatchObject({ exit: 2 });
    expect(
      call({ action: 'request', dockerfile: Buffer.from([0x46, 0xff, 0xfe]).toString('base64'), repo: REPO }),
    ).toMatchObject({ exit: 2 });
  });

  test('unknown or ambiguous ids are usage errors; a garbled store is 78', () => {
    expect(call({ action: 'show', id: 'abcdef' })).toMatchObject({ exit: 2 });
    const r = call({ action: 'request', dockerfile: b64(GOOD), repo: REPO });
    fs.writeFileSync(path.join(store.root, `${r.json.approval.sha256}.json`), 'garbage');
    const g = call({ action: 'list' });
    expect(g.exit).toBe(78);
    expect(g.err).toMatch(/approvals store: .*garbled/);
    expect(call({ action: 'approve', id: r.json.approval.shortId }, rev).exit).toBe(78);
  });
});
