// `cida-docker build` for real: non-root developers build through the sudo rule and the broker,
// the context packed as the developer and streamed; approvals are written into the real store
// (as root, as the broker would after `approval approve`); what reached the engine is checked.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../src/approvals/store.js';
import { as, docker, JOB, POLICY, REG, suiteContainers, writePolicy, brokerReady } from './broker-helpers.js';
import { q, sh } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const ready = brokerReady();
const REGISTRY = 'registry.example.internal:5000';
const REPO = `${REGISTRY}/e2e-build/app${process.pid}`;
const HOME1 = '/home/cida-dev1';
const CTX = `${HOME1}/cida-e2e-build`;
const SECRET = `${'/home/cida-dev2'}/cida-e2e-secret`;

const DOCKERFILE = `ARG BASE=${REG}/busybox:1
FROM \${BASE}
COPY --chown=1000:1000 app /app
USER 1000
CMD ["cat", "/app/hello.txt"]
# e2e run ${process.pid}-${Date.now()}: an approval's revocation is final for its bytes
`;

let savedPolicy: Buffer | null = null;
const uid = (u: string): number => Number(sh(`id -u ${u}`).stdout.trim());
const store = (): ApprovalStore =>
  new ApprovalStore({ root: '/var/lib/cida-docker/approvals', owner: 0, checkParent: true });

function approve(bytes: string, repo = REPO): string {
  const s = store();
  const { approval } = s.request({
    dockerfile: Buffer.from(bytes),
    repository: repo,
    requester: { user: DEV1, uid: uid(DEV1) },
    findings: [],
  } as Parameters<ApprovalStore['request']>[0]);
  if (approval.state === 'pending') s.transition(approval.id, 'approve', { user: DEV2, uid: uid(DEV2) });
  return approval.id;
}

function asDev1(script: string): { status: number | null; stdout: string; stderr: string } {
  return sh(`su - ${DEV1} -s /bin/bash -c ${q(`export BUILD_TAG=${JOB}; ${script}`)}`, { timeoutMs: 180_000 });
}

function writeContext(dockerfile = DOCKERFILE): void {
  asDev1(
    `rm -rf ${CTX} && mkdir -p ${CTX}/app && printf 'hello from the context\\n' > ${CTX}/app/hello.txt && printf %s ${q(dockerfile)} > ${CTX}/Dockerfile`,
  );
}

describe.runIf(ready)('build end to end', () => {
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy({ trustedRegistries: [REGISTRY], reviewers: [DEV2] });
    sh(`printf 'dev2 private key\\n' > ${SECRET} && chown ${DEV2}: ${SECRET} && chmod 600 ${SECRET}`);
    writeContext();
  });
  afterAll(() => {
    for (const id of suiteContainers()) docker('rm', '-f', id);
    for (const t of ['1', '2', 'x']) docker('rmi', '-f', `${REPO}:${t}`);
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
    sh(`rm -rf ${CTX} ${SECRET}`);
  });

  it('a forged build request with a path context makes root read nothing: 77', () => {
    const forged = JSON.stringify({
      v: 1,
      kind: 'docker',
      argv: ['build', '-f', 'home/cida-dev2/x', '-t', `${REPO}:x`, 'home'],
      cwd: '/',
    });
    const r = asDev1(`CIDA_DOCKER_REQUEST=${q(forged)} sudo -n /usr/local/lib/cida-docker/broker </dev/null`);
    expect(r.status).toBe(77);
    expect(docker('image', 'inspect', `${REPO}:x`).status).not.toBe(0);
    // a build-kind request with garbage on stdin, and with no stdin at all
    const req = JSON.stringify({
      v: 1,
      kind: 'build',
      argv: ['build', '-t', `${REPO}:x`, '.'],
      cwd: '/',
      dockerfile: 'Dockerfile',
    });
    expect(
      asDev1(`echo 'FROM x' | CIDA_DOCKER_REQUEST=${q(req)} sudo -n /usr/local/lib/cida-docker/broker`).status,
    ).toBe(77);
    expect(asDev1(`CIDA_DOCKER_REQUEST=${q(req)} sudo -n /usr/local/lib/cida-docker/broker </dev/null`).status).toBe(
      77,
    );
    const bad = JSON.stringify({ v: 1, kind: 'build', argv: ['build', '.'], cwd: '/', dockerfile: '../etc/passwd' });
    expect(asDev1(`CIDA_DOCKER_REQUEST=${q(bad)} sudo -n /usr/local/lib/cida-docker/broker </dev/null`).status).toBe(2);
  });

  it('an unapproved Dockerfile is refused with the way to request an approval', () => {
    writeContext(`${DOCKERFILE}# not approved ${Date.now()}\n`);
    const r = asDev1(`cd ${CTX} && cida-docker build -t ${REPO}:1 .`);
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/approval request/);
    writeContext();
  });

  it("approved: builds, labels, records provenance, runs with the context's files", () => {
    const id = approve(DOCKERFILE);
    const r = asDev1(`cd /tmp && CI=true cida-docker build -t ${REPO}:1 ${CTX}`);
    expect(r.stderr + r.stdout).not.toMatch(/internal error/);
    expect(r.status, r.stderr).toBe(0);
    const img = JSON.parse(docker('image', 'inspect', `${REPO}:1`).stdout)[0];
    expect(img.Config.Labels['cida.approval']).toBe(id);
    expect(img.Config.Labels['cida.builder']).toBe(DEV1);
    expect(img.Config.Labels['cida.dockerfile.sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(store().provenanceOf(img.Id)?.builds.at(-1)?.approvalId).toBe(id);
    const run = as(DEV1, ['run', '--rm', `${REPO}:1`]);
    expect(run.stdout).toContain('hello from the context');
    // -q: the image id only
    const quiet = asDev1(`cd ${CTX} && cida-docker build -q -t ${REPO}:1 .`);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout.trim()).toBe(img.Id);
  });

  it('one changed byte: 77', () => {
    writeContext(DOCKERFILE.replace('USER 1000', 'USER 1001'));
    expect(asDev1(`cd ${CTX} && cida-docker build -t ${REPO}:2 .`).status).toBe(77);
    writeContext();
  });

  it("a tag outside the approval's repository: 77, and Jenkins-style `-t myapp` is told what to do", () => {
    const r = asDev1(`cd ${CTX} && cida-docker build -t ${REGISTRY}/other/app:1 .`);
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/covers/);
    const j = asDev1(`cd ${CTX} && cida-docker build -t myapp .`);
    expect(j.status).toBe(77);
  });

  it('a build-arg that swaps the base: 77; BUILDKIT_SYNTAX: 77', () => {
    expect(asDev1(`cd ${CTX} && cida-docker build --build-arg BASE=alpine:3.20 -t ${REPO}:2 .`).status).toBe(77);
    expect(
      asDev1(`cd ${CTX} && cida-docker build --build-arg BUILDKIT_SYNTAX=docker/dockerfile:1 -t ${REPO}:2 .`).status,
    ).toBe(77);
  });

  it('an unreadable file: exit 1 naming it, nothing sent', () => {
    asDev1(`printf x > ${CTX}/app/locked && chmod 000 ${CTX}/app/locked`);
    const r = asDev1(`cd ${CTX} && cida-docker build -t ${REPO}:2 .`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('app/locked');
    asDev1(`rm -f ${CTX}/app/locked`);
  });

  it("a symlink to another user's file is sent as a link, never its content", () => {
    asDev1(`ln -sf ${SECRET} ${CTX}/app/stolen`);
    const r = asDev1(`cd ${CTX} && cida-docker build -t ${REPO}:2 .`);
    expect(r.status, r.stderr).toBe(0);
    const run = as(DEV1, ['run', '--rm', `${REPO}:2`, 'cat', '/app/stolen']);
    expect(run.stdout + run.stderr).not.toContain('dev2 private key');
    asDev1(`rm -f ${CTX}/app/stolen`);
  });

  it('the context may be any readable directory, and - reads a Dockerfile or a tar on stdin', () => {
    const tarBuild = asDev1(`cd ${CTX} && tar -cf - Dockerfile app | cida-docker build -t ${REPO}:2 -`);
    expect(tarBuild.status, tarBuild.stderr).toBe(0);
  });

  it('revoked: build 77, and its images no longer run', () => {
    const s = store();
    const a = s.approvalFor(require_sha(DOCKERFILE));
    if (a) s.transition(a.id, 'revoke', { user: DEV2, uid: uid(DEV2) }, 'e2e revoke');
    const b = asDev1(`cd ${CTX} && cida-docker build -t ${REPO}:1 .`);
    expect(b.status).toBe(77);
    expect(b.stderr).toMatch(/revoked/);
    const r = as(DEV1, ['run', '--rm', `${REPO}:1`]);
    expect(r.status).toBe(77);
  });
});

function require_sha(text: string): string {
  return sh(`printf %s ${q(text)} | sha256sum`).stdout.split(' ')[0];
}
