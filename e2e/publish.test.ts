// Publishing against a real registry with authentication (Debian's docker-registry, htpasswd made
// here with apache2-utils, on 127.0.0.1:5001 as registry-auth.example.internal:5001, which
// e2e/setup-host.sh lists as insecure): per-user logins, push of an approved build only, no tag
// squatting, pull by digest and run, revocation. The developers are real non-root users going
// through sudo and the broker; what reached the registry and the engine is checked as root.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore, pushesOf } from '../src/approvals/store.js';
import { as, AUDIT, docker, JOB, POLICY, suiteContainers, writePolicy, brokerReady } from './broker-helpers.js';
import { q, sh } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const HOST = 'registry-auth.example.internal:5001';
const PLAIN = 'registry.example.internal:5000';
const WORK = `/tmp/cida-e2e-publish-${process.pid}`;
const REPO = `${HOST}/e2e-publish/app${process.pid}`;
const OTHER = `${HOST}/e2e-publish/other${process.pid}`;
const BASE = `${HOST}/e2e-publish/base${process.pid}:1`;
const USER1 = 'e2e-user1';
const USER2 = 'e2e-user2';
const PW1 = `pw1-${process.pid}-Zq8`;
const PW2 = `pw2-${process.pid}-Kx3`;
const CTX = '/home/cida-dev1/cida-e2e-publish';
const DOCKERFILE = `FROM ${PLAIN}/base/busybox:1\nUSER 1000\nCMD ["sleep", "3600"]\n# e2e publish ${process.pid}\n`;

const ready =
  brokerReady() &&
  fs.existsSync('/usr/bin/htpasswd') &&
  sh(`getent ahostsv4 registry-auth.example.internal`).status === 0;

let registry: ChildProcess | null = null;
let savedPolicy: Buffer | null = null;
let approvalId = '';
let digest = '';
/** Everything the brokers printed to the developers in this suite (stdout and stderr). */
let printed = '';
const uid = (u: string): number => Number(sh(`id -u ${u}`).stdout.trim());
const store = (): ApprovalStore =>
  new ApprovalStore({ root: '/var/lib/cida-docker/approvals', owner: 0, checkParent: true });

function run(user: string, args: string[], o: { input?: string; env?: Record<string, string> } = {}) {
  const r = as(user, args, { ...o, timeoutMs: 180_000 });
  printed += r.stdout + r.stderr;
  return r;
}
function asDev(user: string, script: string) {
  const r = sh(`su - ${user} -s /bin/bash -c ${q(`export BUILD_TAG=${JOB}; ${script}`)}`, { timeoutMs: 180_000 });
  printed += r.stdout + r.stderr;
  return r;
}
const catalog = (): string[] =>
  JSON.parse(sh(`curl -fsS -u ${USER1}:${PW1} http://${HOST}/v2/_catalog`).stdout || '{"repositories":[]}')
    .repositories;
const registryAnswers = (): boolean => sh(`curl -s -o /dev/null -w '%{http_code}' http://${HOST}/v2/`).stdout === '401';

describe.runIf(ready)('publishing to a registry with authentication', () => {
  beforeAll(async () => {
    fs.mkdirSync(`${WORK}/data`, { recursive: true, mode: 0o700 });
    sh(`htpasswd -Bbn ${USER1} ${q(PW1)} > ${WORK}/htpasswd && htpasswd -Bbn ${USER2} ${q(PW2)} >> ${WORK}/htpasswd`);
    fs.writeFileSync(
      `${WORK}/config.yml`,
      [
        'version: 0.1',
        'log:',
        '  level: info',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${WORK}/data`,
        '  delete:',
        '    enabled: true',
        'http:',
        '  addr: 127.0.0.1:5001',
        'auth:',
        '  htpasswd:',
        '    realm: cida-e2e',
        `    path: ${WORK}/htpasswd`,
        '',
      ].join('\n'),
    );
    const log = fs.openSync(`${WORK}/registry.log`, 'a');
    registry = spawn('/usr/bin/docker-registry', ['serve', `${WORK}/config.yml`], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    for (let i = 0; i < 60 && !registryAnswers(); i++) await new Promise((r) => setTimeout(r, 250));
    expect(registryAnswers()).toBe(true);
    // A base image in that registry, pushed by root with a throwaway config (never root's ~/.docker).
    const rootCfg = `${WORK}/root-docker`;
    sh(
      `mkdir -p ${rootCfg} && printf %s ${q(PW1)} | docker --config ${rootCfg} login -u ${USER1} --password-stdin ${HOST} && docker tag ${PLAIN}/base/busybox:1 ${BASE} && docker --config ${rootCfg} push ${BASE} && docker rmi ${BASE}`,
      { timeoutMs: 120_000 },
    );
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy({ trustedRegistries: [PLAIN, HOST], reviewers: [DEV2] });
    const s = store();
    const { approval } = s.request({
      dockerfile: Buffer.from(DOCKERFILE),
      repository: REPO,
      requester: { user: DEV1, uid: uid(DEV1) },
      findings: [],
    });
    if (approval.state === 'pending') s.transition(approval.id, 'approve', { user: DEV2, uid: uid(DEV2) });
    approvalId = approval.id;
    asDev(DEV1, `rm -rf ${CTX} && mkdir -p ${CTX} && printf %s ${q(DOCKERFILE)} > ${CTX}/Dockerfile`);
    const b = asDev(DEV1, `cd ${CTX} && CI=true cida-docker build -t ${REPO}:1 .`);
    expect(b.status, b.stderr).toBe(0);
  }, 300_000);

  afterAll(() => {
    for (const id of suiteContainers()) docker('rm', '-f', id);
    for (const t of [
      `${REPO}:1`,
      `${REPO}:again`,
      `${REPO}:pulled`,
      `${REPO}:moved`,
      `${REPO}:base`,
      BASE,
      `${OTHER}:1`,
    ])
      docker('rmi', '-f', t);
    for (const u of [DEV1, DEV2]) as(u, ['logout', HOST]);
    if (registry?.pid) {
      try {
        process.kill(registry.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
    sh(`rm -rf ${WORK} ${CTX}`);
  });

  it("push without a login: docker's own message and exit code", () => {
    const r = run(DEV1, ['push', `${REPO}:1`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no basic auth credentials|unauthorized|authentication required/i);
    expect(catalog()).not.toContain(REPO.slice(HOST.length + 1));
  });

  it('a wrong password is refused by the registry', () => {
    const r = run(DEV1, ['login', '-u', USER1, '--password-stdin', HOST], { input: 'wrong\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unauthorized|incorrect username or password/i);
  });

  it("the right password (-p, a URL as Jenkins passes it): docker's warning, login kept root-only for this user", () => {
    const r = run(DEV1, ['login', '-u', USER1, '-p', PW1, `https://${HOST}/v1/`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('WARNING! Using --password via the CLI is insecure');
    const home = `/var/lib/cida-docker/users/${uid(DEV1)}`;
    const mode = (p: string): string => sh(`stat -c '%U %a' ${p}`).stdout.trim();
    expect(mode(home)).toBe('root 700');
    expect(mode(`${home}/.docker`)).toBe('root 700');
    expect(mode(`${home}/.docker/config.json`)).toBe('root 600');
    expect(JSON.parse(fs.readFileSync(`${home}/.docker/config.json`, 'utf8')).auths).toHaveProperty([HOST]);
    // the other developer cannot read it
    const peek = asDev(DEV2, `cat ${home}/.docker/config.json; ls ${home}`);
    expect(peek.status).not.toBe(0);
    expect(peek.stdout).not.toContain('auth');
  });

  it('push of the approved build: in the registry catalog; digest in the provenance, the approval and the audit line', () => {
    const r = run(DEV1, ['push', `${REPO}:1`]);
    expect(r.status, r.stderr).toBe(0);
    digest = /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1] ?? '';
    expect(digest).not.toBe('');
    expect(catalog()).toContain(REPO.slice(HOST.length + 1));
    const id = JSON.parse(docker('image', 'inspect', `${REPO}:1`).stdout)[0].Id;
    expect(pushesOf(store().provenanceOf(id)).map((p) => p.digest)).toContain(digest);
    expect(pushesOf(store().get(approvalId)).map((p) => p.digest)).toContain(digest);
    const line = fs
      .readFileSync(AUDIT, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .reverse()
      .find((l) => l.phase === 'outcome' && l.argv[0] === 'push' && l.uid === uid(DEV1));
    expect(line).toMatchObject({ exit: 0, approval: approvalId });
    expect(line.note).toContain(digest);
  });

  it("the other developer cannot push with the first one's login, nor with root's ~/.docker", () => {
    const r = run(DEV2, ['push', `${REPO}:1`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no basic auth credentials|unauthorized|authentication required/i);
    // root's own docker config holding a login for the registry is never used for a developer
    const rootConfig = '/root/.docker/config.json';
    const saved = fs.existsSync(rootConfig) ? fs.readFileSync(rootConfig) : null;
    try {
      fs.mkdirSync('/root/.docker', { recursive: true, mode: 0o700 });
      const auth = Buffer.from(`${USER2}:${PW2}`).toString('base64');
      fs.writeFileSync(
        rootConfig,
        JSON.stringify({
          ...(saved ? JSON.parse(saved.toString()) : {}),
          auths: { ...(saved ? JSON.parse(saved.toString()).auths : {}), [HOST]: { auth } },
        }),
        { mode: 0o600 },
      );
      const viaRoot = run(DEV2, ['push', `${REPO}:1`]);
      expect(viaRoot.status).toBe(1);
      expect(viaRoot.stderr).toMatch(/no basic auth credentials|unauthorized|authentication required/i);
    } finally {
      if (saved) fs.writeFileSync(rootConfig, saved);
      else fs.rmSync(rootConfig, { force: true });
    }
  });

  it("Jenkins' per-block DOCKER_CONFIG: that config's entry for the registry is used for this one push", () => {
    const dir = `/home/cida-dev2/cida-e2e-jenkins-${process.pid}`;
    const auth = Buffer.from(`${USER2}:${PW2}`).toString('base64');
    asDev(
      DEV2,
      `mkdir -p ${dir} && chmod 700 ${dir} && printf %s ${q(JSON.stringify({ auths: { [`https://${HOST}`]: { auth } } }))} > ${dir}/config.json`,
    );
    const r = run(DEV2, ['push', `${REPO}:1`], { env: { DOCKER_CONFIG: dir } });
    expect(r.status, r.stderr).toBe(0);
    // and it was not kept: without DOCKER_CONFIG dev2 still has no login
    expect(run(DEV2, ['push', `${REPO}:1`]).status).toBe(1);
    expect(fs.readdirSync('/tmp').filter((n) => n.startsWith('cida-auth-'))).toEqual([]);
    sh(`rm -rf ${dir}`);
  });

  it('tag squatting and publishing what was not approved: 77', () => {
    expect(run(DEV1, ['pull', BASE]).status).toBe(0);
    const into = run(DEV1, ['tag', BASE, `${REPO}:base`]);
    expect(into.status).toBe(77);
    expect(into.stderr).toMatch(/not built here/);
    const repoint = run(DEV1, ['tag', `${REPO}:1`, BASE]);
    expect(repoint.status).toBe(77);
    expect(run(DEV1, ['tag', `${REPO}:1`, `${OTHER}:1`]).status).toBe(77);
    const pulled = run(DEV1, ['push', BASE]);
    expect(pulled.status).toBe(77);
    expect(pulled.stderr).toMatch(/pulled/);
    // a name in the approved repository pointing at a pulled image
    docker('tag', BASE, `${REPO}:pulled`);
    expect(run(DEV1, ['push', `${REPO}:pulled`]).status).toBe(77);
    // nothing moved
    const idOf = (n: string): string => JSON.parse(docker('image', 'inspect', n).stdout)[0].Id;
    expect(idOf(BASE)).not.toBe(idOf(`${REPO}:1`));
    expect(docker('image', 'inspect', `${OTHER}:1`).status).not.toBe(0);
    expect(docker('image', 'inspect', `${REPO}:base`).status).not.toBe(0);
    // and dev2 cannot remove dev1's tag or the pulled base image
    expect(run(DEV2, ['rmi', `${REPO}:1`]).status).toBe(77);
    expect(run(DEV2, ['rmi', BASE]).status).toBe(77);
  });

  it("a pull never swaps another developer's build here for the registry's copy; the builder's own pull may", () => {
    const idOf = (n: string): string => JSON.parse(docker('image', 'inspect', n).stdout)[0].Id;
    // The registry's :moved is the base image (root, throwaway login); here :moved is dev1's build.
    const moved = `${REPO}:moved`;
    sh(`docker tag ${BASE} ${moved} && docker --config ${WORK}/root-docker push ${moved} && docker rmi ${moved}`, {
      timeoutMs: 120_000,
    });
    expect(run(DEV1, ['tag', `${REPO}:1`, moved]).status).toBe(0);
    const build = idOf(`${REPO}:1`);
    // dev2 with a login of its own (Jenkins' per-block DOCKER_CONFIG): pull, and run --pull always.
    const dir = `/home/cida-dev2/cida-e2e-pull-${process.pid}`;
    const auth = Buffer.from(`${USER2}:${PW2}`).toString('base64');
    asDev(
      DEV2,
      `mkdir -p ${dir} && chmod 700 ${dir} && printf %s ${q(JSON.stringify({ auths: { [`https://${HOST}`]: { auth } } }))} > ${dir}/config.json`,
    );
    const env = { DOCKER_CONFIG: dir };
    const pull = run(DEV2, ['pull', moved], { env });
    expect(pull.status).toBe(77);
    expect(pull.stderr).toMatch(/pull-local-build.*cida-dev1 built on this host/s);
    const always = run(DEV2, ['run', '-d', '--pull', 'always', moved], { env });
    expect(always.status).toBe(77);
    expect(idOf(moved)).toBe(build);
    // dev1 may replace their own build with the registry's copy.
    const own = run(DEV1, ['pull', moved]);
    expect(own.status, own.stderr).toBe(0);
    expect(idOf(moved)).toBe(idOf(BASE));
    asDev(DEV2, `rm -rf ${dir}`);
  });

  it('after removing the local tag: pull by digest and run', () => {
    docker('rmi', `${REPO}:pulled`);
    expect(run(DEV1, ['rmi', `${REPO}:1`]).status).toBe(0);
    expect(docker('image', 'inspect', `${REPO}:1`).status).not.toBe(0);
    const p = run(DEV1, ['pull', `${REPO}@${digest}`]);
    expect(p.status, p.stderr).toBe(0);
    const r = run(DEV1, ['run', '-d', `${REPO}@${digest}`]);
    expect(r.status, r.stderr).toBe(0);
    const cid = r.stdout.trim();
    expect(JSON.parse(docker('inspect', '--type', 'container', cid).stdout)[0].State.Running).toBe(true);
    docker('rm', '-f', cid);
    expect(run(DEV1, ['tag', `${REPO}@${digest}`, `${REPO}:again`]).status).toBe(0);
  });

  it('revoked: push 77', () => {
    store().transition(approvalId, 'revoke', { user: DEV2, uid: uid(DEV2) }, 'e2e: revoked');
    const r = run(DEV1, ['push', `${REPO}:again`]);
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/revoked/);
  });

  it("logout removes only the caller's own login; the password is in no log", () => {
    expect(run(DEV1, ['logout', HOST]).status).toBe(0);
    expect(fs.readFileSync(`/var/lib/cida-docker/users/${uid(DEV1)}/.docker/config.json`, 'utf8')).not.toContain(HOST);
    expect(fs.readFileSync(AUDIT, 'utf8')).not.toContain(PW1);
    expect(fs.readFileSync(AUDIT, 'utf8')).not.toContain(PW2);
    expect(printed).not.toContain(PW1);
    expect(printed).not.toContain(PW2);
  });
});
