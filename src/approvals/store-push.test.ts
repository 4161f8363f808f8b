// recordPush: a push is recorded in the image's provenance and in the approval's document, and
// survives the image's next build and the approval's later transitions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore, pushesOf, StoreError } from './store.js';

const dev1 = { user: 'dev1', uid: 1001 };
const rev = { user: 'rev', uid: 1003 };
const REPO = 'registry.example.internal/team/app';
const IMG = `sha256:${'1'.repeat(64)}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('recordPush', () => {
  it('provenance and approval both keep the push, through a rebuild and a revocation', () => {
    const store = new ApprovalStore({
      root: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cida-push-')), 'approvals'),
    });
    const { approval } = store.request({
      dockerfile: Buffer.from('FROM registry.example.internal/base/x:1\nUSER 1000\n'),
      repository: REPO,
      requester: dev1,
      findings: [],
    });
    store.transition(approval.id, 'approve', rev);
    store.recordBuild({
      imageId: IMG,
      builder: dev1,
      approvalId: approval.id,
      sha256: approval.sha256,
      tags: [`${REPO}:1`],
    });
    store.recordPush({
      imageId: IMG,
      name: `${REPO}:1`,
      digest: DIGEST,
      by: dev1,
      approvalId: approval.id,
      sha256: approval.sha256,
    });
    const want = { imageId: IMG, name: `${REPO}:1`, digest: DIGEST, by: dev1, approvalId: approval.id };
    expect(pushesOf(store.provenanceOf(IMG))).toMatchObject([want]);
    expect(pushesOf(store.get(approval.id))).toMatchObject([want]);
    store.recordBuild({
      imageId: IMG,
      builder: dev1,
      approvalId: approval.id,
      sha256: approval.sha256,
      tags: [`${REPO}:2`],
    });
    expect(pushesOf(store.provenanceOf(IMG))).toHaveLength(1);
    store.transition(approval.id, 'revoke', rev, 'CVE');
    expect(pushesOf(store.get(approval.id))).toHaveLength(1);
  });
  it('refuses a malformed digest and an image without provenance', () => {
    const store = new ApprovalStore({
      root: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cida-push-')), 'approvals'),
    });
    const p = { imageId: IMG, name: `${REPO}:1`, by: dev1, approvalId: 'a'.repeat(12), sha256: 'a'.repeat(64) };
    expect(() => store.recordPush({ ...p, digest: 'sha256:zz' })).toThrow(StoreError);
    expect(() => store.recordPush({ ...p, digest: DIGEST })).toThrow(/no provenance/);
  });
});
