import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ApprovalError, ApprovalStore, sha256Hex, StoreError, type StoredFinding } from './store.js';

const dev1 = { user: 'dev1', uid: 1001 };
const dev2 = { user: 'dev2', uid: 1002 };
const rev = { user: 'rev', uid: 1003 };
const REPO = 'registry.example.internal/team/app';
const FINDINGS: StoredFinding[] = [
  {
    rule: 'missing-healthcheck',
    severity: 'info',
    line: 1,
    column: 1,
    length: 4,
    message: 'no HEALTHCHECK',
    fix: 'add one',
  },
];

let tmp: string;
let root: string;
let store: ApprovalStore;
const df = (n: number | string) =>
  Buffer.from(`FROM registry.example.internal/base/debian:12\nRUN echo ${n}\nUSER 10001\n`);

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-store-'));
  root = path.join(tmp, 'approvals');
  store = new ApprovalStore({ root });
});

describe('request', () => {
  test('creates a pending approval named by the sha256, files 0600 in a 0700 directory', () => {
    const { approval, created } = store.request({
      dockerfile: df(1),
      repository: REPO,
      requester: dev1,
      note: 'first',
      findings: FINDINGS,
    });
    expect(created).toBe(true);
    expect(approval.sha256).toBe(sha256Hex(df(1)));
    expect(approval.id).toBe(approval.sha256.slice(0, 12));
    expect(approval.state).toBe('pending');
    expect(approval.history).toMatchObject([
      { action: 'request', from: null, to: 'pending', by: dev1, note: 'first', repository: REPO },
    ]);
    expect(Buffer.from(approval.dockerfile, 'base64')).toEqual(df(1));
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, `${approval.sha256}.json`)).mode & 0o777).toBe(0o600);
    expect(store.get(approval.id)).toEqual(approval);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('the same bytes and repository again is idempotent; another repository is a conflict', () => {
    const first = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] });
    const again = store.request({ dockerfile: df(1), repository: REPO, requester: dev2, findings: [] });
    expect(again.created).toBe(false);
    expect(again.approval).toEqual(first.approval);
    expect(() => store.request({ dockerfile: df(1), repository: `${REPO}2`, requester: dev1, findings: [] })).toThrow(
      /already has approval .* one Dockerfile is approved for one repository/,
    );
    store.transition(first.approval.id, 'approve', rev);
    expect(store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] }).created).toBe(false);
  });

  test('a rejected request may be requested again (history kept); a revoked one is final', () => {
    const { approval } = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] });
    store.transition(approval.id, 'reject', rev, 'no');
    const again = store.request({ dockerfile: df(1), repository: `${REPO}2`, requester: dev1, findings: [] });
    expect(again.created).toBe(true);
    expect(again.approval.state).toBe('pending');
    expect(again.approval.repository).toBe(`${REPO}2`);
    expect(again.approval.history.map((h) => h.action)).toEqual(['request', 'reject', 'request']);
    store.transition(approval.id, 'approve', rev);
    store.transition(approval.id, 'revoke', rev, 'base image compromised');
    expect(() => store.request({ dockerfile: df(1), repository: `${REPO}2`, requester: dev1, findings: [] })).toThrow(
      /revoked .*base image compromised.*final/,
    );
  });
});

describe('transitions', () => {
  test('approve, then revoke, with the whole history', () => {
    const { approval } = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] });
    expect(store.isApproved(approval.sha256)).toBe(false);
    store.transition(approval.id, 'approve', rev, 'looks fine');
    expect(store.isApproved(approval.sha256)).toBe(true);
    expect(store.isApproved(approval.sha256, REPO)).toBe(true);
    expect(store.isApproved(approval.sha256, `${REPO}x`)).toBe(false);
    const revoked = store.transition(approval.id.slice(0, 6), 'revoke', rev, 'CVE');
    expect(revoked.state).toBe('revoked');
    expect(revoked.history.map((h) => [h.action, h.from, h.to, h.by.user, h.note ?? h.reason])).toEqual([
      ['request', null, 'pending', 'dev1', undefined],
      ['approve', 'pending', 'approved', 'rev', 'looks fine'],
      ['revoke', 'approved', 'revoked', 'rev', 'CVE'],
    ]);
    expect(store.isApproved(approval.sha256)).toBe(false);
    expect(store.approvalFor(approval.sha256)?.state).toBe('revoked');
    expect(store.list({ state: 'revoked' }).map((a) => a.id)).toEqual([approval.id]);
    expect(store.list({ state: 'approved' })).toEqual([]);
  });

  test('nobody approves their own request, including an earlier requester of the same bytes', () => {
    const { approval } = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] });
    expect(() => store.transition(approval.id, 'approve', dev1)).toThrow(
      expect.objectContaining({ code: 'self-approval' }),
    );
    store.transition(approval.id, 'reject', rev, 'fix it');
    store.request({ dockerfile: df(1), repository: REPO, requester: dev2, findings: [] });
    expect(() => store.transition(approval.id, 'approve', dev1)).toThrow(/cannot approve it/);
    expect(store.transition(approval.id, 'approve', rev).state).toBe('approved');
  });

  test('transitions not allowed from the current state are refused and write nothing', () => {
    const { approval } = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] });
    expect(() => store.transition(approval.id, 'revoke', rev, 'x')).toThrow(
      /is pending: only an approved Dockerfile can be revoked/,
    );
    expect(() => store.transition(approval.id, 'reject', rev)).toThrow(/a reason is required/);
    expect(() => store.transition(approval.id, 'reject', rev, '  ')).toThrow(/a reason is required/);
    store.transition(approval.id, 'approve', rev);
    expect(() => store.transition(approval.id, 'approve', dev2)).toThrow(/already is/);
    expect(() => store.transition(approval.id, 'reject', rev, 'x')).toThrow(/is approved: only a pending request/);
    expect(store.get(approval.id).history).toHaveLength(2);
  });
});

describe('ids by prefix, like git', () => {
  test('a unique prefix names it; an ambiguous one names the candidates; junk is refused', () => {
    // Find two Dockerfiles whose sha256 share the first 4 hex digits.
    const seen = new Map<string, number>();
    let pair: [number, number] | undefined;
    for (let i = 0; !pair; i++) {
      const p = sha256Hex(df(i)).slice(0, 4);
      if (seen.has(p)) pair = [seen.get(p)!, i];
      else seen.set(p, i);
    }
    const a = store.request({ dockerfile: df(pair[0]), repository: REPO, requester: dev1, findings: [] }).approval;
    const b = store.request({ dockerfile: df(pair[1]), repository: REPO, requester: dev1, findings: [] }).approval;
    const prefix = a.sha256.slice(0, 4);
    expect(() => store.get(prefix)).toThrow(ApprovalError);
    expect(() => store.get(prefix)).toThrow(/ambiguous: it begins 2 approvals .*type more digits/);
    let n = 4;
    while (a.sha256.slice(0, n) === b.sha256.slice(0, n)) n++;
    expect(store.get(a.sha256.slice(0, n)).sha256).toBe(a.sha256);
    expect(store.get(b.sha256.slice(0, n).toUpperCase()).sha256).toBe(b.sha256);
    expect(store.get(a.sha256).sha256).toBe(a.sha256);
    expect(store.shortId(a)).toBe(a.sha256.slice(0, 12));
    expect(() => store.get('abc')).toThrow(/not an approval id/);
    expect(() => store.get('../../etc')).toThrow(/not an approval id/);
    expect(() => store.get('ffffffffffff')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  test('ids sharing 12 digits get a longer short id', () => {
    const a = store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] }).approval;
    const twin = `${a.sha256.slice(0, 12)}${'0'.repeat(52)}`;
    fs.writeFileSync(path.join(root, `${twin}.json`), '{}', { mode: 0o600 });
    expect(store.shortId(a).length).toBeGreaterThan(12);
  });
});

describe('fails closed', () => {
  const seed = () => store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] }).approval;

  test('a garbled document', () => {
    const a = seed();
    fs.writeFileSync(path.join(root, `${a.sha256}.json`), '{"v":1, "sha2');
    expect(() => store.list()).toThrow(StoreError);
    expect(() => store.get(a.id)).toThrow(/garbled/);
    expect(() => store.isApproved(a.sha256)).toThrow(StoreError);
    expect(() => store.transition(a.id, 'approve', rev)).toThrow(StoreError);
  });

  test('a document whose state was edited without history, or whose bytes do not hash to its name', () => {
    const a = seed();
    const file = path.join(root, `${a.sha256}.json`);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...doc, state: 'approved' }));
    expect(() => store.isApproved(a.sha256)).toThrow(/state does not match the history/);
    fs.writeFileSync(file, JSON.stringify({ ...doc, dockerfile: Buffer.from('FROM evil').toString('base64') }));
    expect(() => store.get(a.id)).toThrow(/do not hash/);
    fs.writeFileSync(file, JSON.stringify([]));
    expect(() => store.get(a.id)).toThrow(/not a JSON object/);
  });

  test('group- or world-writable files and directories, symlinks, foreign owners', () => {
    const a = seed();
    const file = path.join(root, `${a.sha256}.json`);
    fs.chmodSync(file, 0o620);
    expect(() => store.get(a.id)).toThrow(/writable by it alone .*mode 0620/);
    fs.chmodSync(file, 0o600);
    fs.chmodSync(root, 0o777);
    expect(() => store.list()).toThrow(/approvals store .* mode 0777/);
    fs.chmodSync(root, 0o700);
    const foreign = new ApprovalStore({ root, owner: (process.getuid?.() ?? 0) + 1 });
    expect(() => foreign.list()).toThrow(/must be owned by uid/);
    const real = fs.readFileSync(file);
    fs.rmSync(file);
    fs.writeFileSync(path.join(tmp, 'elsewhere.json'), real, { mode: 0o600 });
    fs.symlinkSync(path.join(tmp, 'elsewhere.json'), file);
    expect(() => store.get(a.id)).toThrow(/symlink/);
    const linked = path.join(tmp, 'linked');
    fs.symlinkSync(root, linked);
    expect(() => new ApprovalStore({ root: linked }).list()).toThrow(/not a directory/);
    fs.chmodSync(tmp, 0o777);
    expect(() => new ApprovalStore({ root, checkParent: true }).list()).toThrow(/state directory/);
    fs.chmodSync(tmp, 0o700);
  });
});

describe('lock', () => {
  test('a stale lock (its process is gone) is broken; a live one times out with a clear error', () => {
    store.ensure();
    fs.writeFileSync(path.join(root, '.tmp-1-crashed'), '{"half');
    fs.writeFileSync(path.join(root, '.lock'), `999999999 ${Date.now()} deadbeef`);
    expect(store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] }).created).toBe(true);
    fs.writeFileSync(path.join(root, '.lock'), `${process.pid} ${Date.now()} deadbeef`);
    const impatient = new ApprovalStore({ root, lockTimeoutMs: 100 });
    expect(() => impatient.request({ dockerfile: df(2), repository: REPO, requester: dev1, findings: [] })).toThrow(
      /busy .*held by pid/,
    );
    fs.writeFileSync(path.join(root, '.lock'), `${process.pid} ${Date.now() - 120_000} deadbeef`);
    expect(impatient.request({ dockerfile: df(2), repository: REPO, requester: dev1, findings: [] }).created).toBe(
      true,
    );
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('provenance', () => {
  test('records builds by image id and reads them back', () => {
    const a = seed1();
    const id = `sha256:${'ab'.repeat(32)}`;
    expect(store.provenanceOf(id)).toBeUndefined();
    store.recordBuild({
      imageId: id,
      builder: dev1,
      approvalId: a.id,
      sha256: a.sha256,
      tags: [`${REPO}:1`],
      time: '2026-01-01T00:00:00.000Z',
    });
    store.recordBuild({
      imageId: 'ab'.repeat(32),
      builder: dev2,
      approvalId: a.id,
      sha256: a.sha256,
      tags: [`${REPO}:2`],
    });
    const p = store.provenanceOf('ab'.repeat(32));
    expect(p?.imageId).toBe(id);
    expect(p?.builds.map((b) => [b.builder.user, b.tags[0]])).toEqual([
      ['dev1', `${REPO}:1`],
      ['dev2', `${REPO}:2`],
    ]);
    expect(fs.statSync(path.join(root, 'images', `${'ab'.repeat(32)}.json`)).mode & 0o777).toBe(0o600);
    expect(store.provenanceOf('not-an-id')).toBeUndefined();
    expect(() =>
      store.recordBuild({ imageId: 'x', builder: dev1, approvalId: a.id, sha256: a.sha256, tags: [] }),
    ).toThrow(/not an image id/);
    fs.writeFileSync(path.join(root, 'images', `${'ab'.repeat(32)}.json`), '{"v":1,"imageId":"sha256:00","builds":[]}');
    expect(() => store.provenanceOf(id)).toThrow(StoreError);
  });
  function seed1() {
    return store.request({ dockerfile: df(1), repository: REPO, requester: dev1, findings: [] }).approval;
  }
});

// Several real processes write at once: every request, every build record survives, and of many
// concurrent approvals of one request exactly one wins.
describe('concurrent writers (child processes)', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cida-store-bundle-')), 'store.mjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, 'store.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'warning',
    });
  });
  afterAll(() => fs.rmSync(path.dirname(bundle), { recursive: true, force: true }));

  const worker = (n: number, rootDir: string, pendingId: string): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const script = `
        import { ApprovalStore, ApprovalError } from ${JSON.stringify(bundle)};
        const s = new ApprovalStore({ root: ${JSON.stringify(rootDir)}, lockTimeoutMs: 60000 });
        const me = { user: 'w${n}', uid: ${2000 + n} };
        let won = 0;
        for (let i = 0; i < 8; i++) {
          s.request({ dockerfile: Buffer.from('FROM x\\nRUN echo ${n}-' + i + '\\n'), repository: 'r.example/t/a', requester: me, findings: [] });
          s.recordBuild({ imageId: 'sha256:' + 'cd'.repeat(32), builder: me, approvalId: 'x', sha256: 'ef'.repeat(32), tags: ['w${n}-' + i] });
          if (i === 3) {
            try { s.transition(${JSON.stringify(pendingId)}, 'approve', me); won++; }
            catch (e) { if (!(e instanceof ApprovalError) || e.code !== 'transition') throw e; }
          }
        }
        process.stdout.write(String(won));
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });

  test('six processes, 8 requests and 8 build records each, one contested approval', async () => {
    const pending = store.request({
      dockerfile: df('contested'),
      repository: REPO,
      requester: dev1,
      findings: [],
    }).approval;
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => worker(n, root, pending.id)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(results.reduce((s, r) => s + Number(r.out), 0)).toBe(1);
    expect(store.list()).toHaveLength(1 + 6 * 8);
    expect(store.provenanceOf('cd'.repeat(32))?.builds).toHaveLength(6 * 8);
    const contested = store.get(pending.id);
    expect(contested.state).toBe('approved');
    expect(contested.history).toHaveLength(2);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 60_000);
});
