// Dockerfile approvals, for real: non-root developers request, review, approve and revoke through
// the installed CLI, the sudo rule and the broker; the store is checked as root on disk, the
// audit trail in the log, and hand-written broker requests are refused.
// Needs: e2e/setup-host.sh and `cida-docker setup --user cida-dev1 --user cida-dev2`.
// cida-dev1 is a reviewer by name (so its self-approval is the refusal seen); cida-dev2 becomes
// one half-way, through the group %cida-e2e-approvers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, auditLines, brokerReady, POLICY, writePolicy } from './broker-helpers.js';
import { sh } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const STORE = '/var/lib/cida-docker/approvals';
const REPO = 'registry.example.internal:5000/e2e/app';
const GROUP = 'cida-e2e-approvers';
const ready = brokerReady();

const POLICY_DOC = {
  trustedRegistries: ['registry.example.internal:5000'],
  publishedPorts: { min: 49153, max: 65535 },
  reviewers: [DEV1, `%${GROUP}`],
};

const stamp = `${process.pid}-${Date.now()}`;
const DOCKERFILE = [
  `# e2e ${stamp}`,
  'FROM registry.example.internal:5000/base/busybox:1',
  'COPY app /app',
  'USER 10001',
  'HEALTHCHECK CMD ["/bin/true"]',
  'CMD ["/app/run"]',
  '',
].join('\n');
const SHA = crypto.createHash('sha256').update(DOCKERFILE).digest('hex');
const ID = SHA.slice(0, 12);
const HOME1 = `/home/${DEV1}`;
const DIR = `${HOME1}/e2e-approval-${stamp}`;

let savedPolicy: Buffer | null = null;
const created = new Set<string>([SHA]);

/** A file in cida-dev1's directory, owned by it. */
function put(name: string, text: string): string {
  const f = `${DIR}/${name}`;
  fs.writeFileSync(f, text);
  sh(`chown ${DEV1}: ${f}`);
  return f;
}

/** The broker called by hand with a request the user wrote (no cida-docker front end). */
function forged(user: string, request: Record<string, unknown>) {
  return as(user, [], {
    prelude: `export CIDA_DOCKER_REQUEST='${JSON.stringify(request)}'; sudo -n /usr/local/lib/cida-docker/broker; exit $?; `,
  });
}

describe.runIf(ready)('approvals end to end', () => {
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy(POLICY_DOC);
    sh(`groupadd -f ${GROUP}; gpasswd -d ${DEV2} ${GROUP} >/dev/null 2>&1; true`);
    fs.mkdirSync(DIR, { recursive: true });
    sh(`chown ${DEV1}: ${DIR}`);
    put('Dockerfile', DOCKERFILE);
  });
  afterAll(() => {
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
    sh(`gpasswd -d ${DEV2} ${GROUP} >/dev/null 2>&1; groupdel ${GROUP}; rm -rf ${DIR}`);
    for (const sha of created) fs.rmSync(`${STORE}/${sha}.json`, { force: true });
  });

  it('a developer requests: the id is the last line; again is idempotent', () => {
    const r = as(DEV1, ['approval', 'request', '--repo', REPO, '--note', 'first e2e request'], { cwd: DIR });
    expect(r.stderr).toMatch(/Requested approval of Dockerfile for registry\.example\.internal:5000\/e2e\/app/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe(ID);
    const again = as(DEV1, ['approval', 'request', '-f', `${DIR}/Dockerfile`, '--repo', REPO]);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(ID);
    expect(again.stderr).toMatch(/Already requested: approval .* is pending/);
  });

  it('the store is root:root, 0700 and 0600, and holds the exact bytes', () => {
    const d = fs.statSync(STORE);
    expect([d.uid, d.gid, d.mode & 0o777]).toEqual([0, 0, 0o700]);
    const f = fs.statSync(`${STORE}/${SHA}.json`);
    expect([f.uid, f.gid, f.mode & 0o777]).toEqual([0, 0, 0o600]);
    const doc = JSON.parse(fs.readFileSync(`${STORE}/${SHA}.json`, 'utf8'));
    expect(Buffer.from(doc.dockerfile, 'base64').toString()).toBe(DOCKERFILE);
    expect(doc).toMatchObject({
      sha256: SHA,
      repository: REPO,
      state: 'pending',
      requester: { user: DEV1, uid: Number(sh(`id -u ${DEV1}`).stdout.trim()) },
    });
    expect(as(DEV2, [], { prelude: `cat ${STORE}/${SHA}.json; exit $?; ` }).status).not.toBe(0);
  });

  it('refusals: error findings (77, shown), an untrusted or malformed repository, a missing file', () => {
    put(
      'Dockerfile.bad',
      DOCKERFILE.replace('registry.example.internal:5000/base/busybox:1', 'docker.io/library/busybox:1'),
    );
    const bad = as(DEV1, ['approval', 'request', '-f', 'Dockerfile.bad', '--repo', REPO], { cwd: DIR });
    expect(bad.status).toBe(77);
    expect(bad.stderr).toMatch(/Dockerfile\.bad:2:\d+: error untrusted-base/);
    expect(bad.stderr).toMatch(/cannot be approved: 1 error finding \(untrusted-base\)/);
    expect(bad.stdout).toBe('');
    const repo = as(DEV1, ['approval', 'request', '--repo', 'docker.io/me/app'], { cwd: DIR });
    expect(repo.status).toBe(77);
    expect(repo.stderr).toMatch(/registry docker\.io is not trusted/);
    expect(as(DEV1, ['approval', 'request', '--repo', 'e2e/app'], { cwd: DIR })).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/write the registry out/),
    });
    const missing = as(DEV1, ['approval', 'request', '-f', 'nope', '--repo', REPO], { cwd: DIR });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read nope: no such file/);
    for (const r of [bad, repo, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('nobody approves their own request; a non-reviewer approves nothing', () => {
    const self = as(DEV1, ['approval', 'approve', ID]);
    expect(self.status).toBe(77);
    expect(self.stderr).toMatch(/cida-dev1 requested it and cannot approve it/);
    const other = as(DEV2, ['approval', 'approve', ID.slice(0, 6)]);
    expect(other.status).toBe(77);
    expect(other.stderr).toMatch(/only reviewers .* cida-dev2 is not one/);
    expect(as(DEV2, ['approval', 'reject', ID, '--reason', 'no'])).toMatchObject({ status: 77 });
    expect(JSON.parse(fs.readFileSync(`${STORE}/${SHA}.json`, 'utf8')).state).toBe('pending');
  });

  it('the review queue without a terminal never prompts and says what to run', () => {
    const r = as(DEV2, ['approval', 'review'], { env: { CI: 'true' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(ID);
    expect(r.stderr).toMatch(/Not prompting .* approval approve ID/s);
  });

  it('a reviewer (by group) approves; list and show reflect it with its history', () => {
    sh(`gpasswd -a ${DEV2} ${GROUP} >/dev/null`);
    const ok = as(DEV2, ['approval', 'approve', ID.slice(0, 8), '--note', 'base pinned, non-root']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${ID} approved (${REPO})\n`);
    const list = JSON.parse(as(DEV1, ['approval', 'list', '--state', 'approved', '--json']).stdout);
    expect(list.map((a: { shortId: string }) => a.shortId)).toContain(ID);
    expect(as(DEV1, ['approval', 'list', '--state', 'pending']).stdout).not.toContain(ID);
    const show = as(DEV1, ['approval', 'show', ID]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('(approved)');
    expect(show.stdout).toContain(DOCKERFILE.trim());
    expect(show.stdout).toMatch(/cida-dev1 .* request → pending .*first e2e request/);
    expect(show.stdout).toMatch(/cida-dev2 .* approve pending → approved.*base pinned, non-root/);
    const json = JSON.parse(as(DEV2, ['approval', 'show', ID, '--json']).stdout);
    expect(json.dockerfileText).toBe(DOCKERFILE);
    expect(json.history.map((h: { action: string }) => h.action)).toEqual(['request', 'approve']);
  });

  it('revoke needs a reason; then the approval is revoked for good', () => {
    expect(as(DEV2, ['approval', 'revoke', ID]).status).toBe(2);
    const r = as(DEV2, ['approval', 'revoke', ID, '--reason', 'e2e: base image withdrawn']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(fs.readFileSync(`${STORE}/${SHA}.json`, 'utf8'));
    expect(doc.state).toBe('revoked');
    expect(doc.history.map((h: { action: string; by: { user: string } }) => `${h.action}:${h.by.user}`)).toEqual([
      'request:cida-dev1',
      'approve:cida-dev2',
      'revoke:cida-dev2',
    ]);
    const again = as(DEV1, ['approval', 'request', '--repo', REPO], { cwd: DIR });
    expect(again.status).toBe(77);
    expect(again.stderr).toMatch(/revoked .*final/);
  });

  it('every transition is an audit line naming the approval', () => {
    const lines = auditLines().filter(
      (l) => l.kind === 'approval' && l.approval === ID && (l.phase === undefined || l.phase === 'outcome'),
    );
    const by = (action: string) => lines.filter((l) => l.argv[1] === action);
    expect(by('approve').map((l) => [l.user, l.exit])).toEqual(
      expect.arrayContaining([
        [DEV1, 77],
        [DEV2, 77],
        [DEV2, 0],
      ]),
    );
    expect(by('revoke').map((l) => l.exit)).toContain(0);
    expect(by('request').some((l) => l.user === DEV1 && l.exit === 0)).toBe(true);
  });

  it('hand-written broker requests: a bad transition, claims of another identity, junk fields are refused', () => {
    const bad = forged(DEV2, { v: 1, kind: 'approval', cwd: '/', action: 'approve', id: ID });
    expect(bad.status).toBe(77);
    expect(bad.stderr).toMatch(/is revoked: only a pending request can be approved/);
    const claim = forged(DEV1, { v: 1, kind: 'approval', cwd: '/', action: 'approve', id: ID, uid: 0, user: 'root' });
    expect(claim.status).toBe(2);
    expect(claim.stderr).toMatch(/unknown request field "uid"/);
    const requester = forged(DEV1, {
      v: 1,
      kind: 'approval',
      cwd: '/',
      action: 'request',
      repo: REPO,
      dockerfile: Buffer.from('FROM x').toString('base64'),
      requester: { user: DEV2, uid: 1 },
    });
    expect(requester.status).toBe(2);
    const state = forged(DEV2, {
      v: 1,
      kind: 'approval',
      cwd: '/',
      action: 'revoke',
      id: ID,
      reason: 'x',
      state: 'approved',
    });
    expect(state.status).toBe(2);
    const traversal = forged(DEV2, { v: 1, kind: 'approval', cwd: '/', action: 'show', id: '../../../etc/shadow' });
    expect(traversal.status).toBe(2);
    expect(traversal.stdout).toBe('');
    // A self-approval written by hand, for a fresh request, is refused like the CLI's.
    const text = `${DOCKERFILE}# forged ${stamp}\n`;
    const sha = crypto.createHash('sha256').update(text).digest('hex');
    created.add(sha);
    const req = forged(DEV2, {
      v: 1,
      kind: 'approval',
      cwd: '/',
      action: 'request',
      repo: REPO,
      dockerfile: Buffer.from(text).toString('base64'),
    });
    expect(req.status).toBe(0);
    expect(JSON.parse(req.stdout).approval.requester.user).toBe(DEV2);
    const self = forged(DEV2, { v: 1, kind: 'approval', cwd: '/', action: 'approve', id: sha.slice(0, 12) });
    expect(self.status).toBe(77);
    expect(JSON.parse(fs.readFileSync(`${STORE}/${sha}.json`, 'utf8')).state).toBe('pending');
  });

  it('a garbled or group-writable store fails closed (78) and decides nothing', () => {
    const file = `${STORE}/${SHA}.json`;
    const saved = fs.readFileSync(file);
    try {
      fs.writeFileSync(file, '{"v":1,');
      const r = as(DEV1, ['approval', 'list']);
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(/garbled/);
      fs.writeFileSync(file, saved);
      fs.chmodSync(file, 0o660);
      expect(as(DEV1, ['approval', 'show', ID]).status).toBe(78);
    } finally {
      fs.writeFileSync(file, saved);
      fs.chmodSync(file, 0o600);
    }
    expect(as(DEV1, ['approval', 'show', ID]).status).toBe(0);
  });
});
