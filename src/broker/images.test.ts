// Publishing at the broker (push, tag, rmi, login, logout, pull) against a fake docker client that
// answers `image inspect` from a table the test controls, prints a push's progress and digest, and
// records every call (argv, stdin, DOCKER_CONFIG and what it held).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import {
  brokerImageVerb,
  type ImageDeps,
  type ImageStore,
  parseImageFacts,
  pushedDigest,
  securePrivateConfig,
} from './images.js';
import type { BrokerContext } from './outcome.js';

const REG = 'registry.example.internal:5000';
const REPO = `${REG}/team/web`;
const hex = (c: string): string => c.repeat(64);
const ID_DEV1 = `sha256:${hex('1')}`; // dev1's build of approval A (REPO)
const ID_DEV2 = `sha256:${hex('2')}`; // dev2's build of approval A
const ID_BASE = `sha256:${hex('b')}`; // pulled: no provenance
const ID_REVOKED = `sha256:${hex('r')}`.replace(/r/g, 'e'); // dev1's build of approval R (revoked)
const SHA_A = hex('a');
const SHA_R = hex('f');
const DIGEST = `sha256:${hex('d')}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-images-'));
const calls = path.join(dir, 'calls.jsonl');
const table = path.join(dir, 'images.json');
const fake = path.join(dir, 'docker');
const users = path.join(dir, 'users');
fs.writeFileSync(
  fake,
  `#!/usr/bin/env node
const fs = require('fs');
const argv = process.argv.slice(2);
let input = '';
try { if (fs.existsSync(${JSON.stringify(dir)} + '/read-stdin')) input = fs.readFileSync(0, 'utf8'); } catch {}
let config = null;
try { config = fs.readFileSync(process.env.DOCKER_CONFIG + '/config.json', 'utf8'); } catch {}
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify({ argv, input, dockerConfig: process.env.DOCKER_CONFIG, config }) + '\\n');
const images = JSON.parse(fs.readFileSync(${JSON.stringify(table)}, 'utf8'));
if (argv[0] === 'image' && argv[1] === 'inspect') {
  const f = images[argv[argv.length - 1]];
  if (!f) { process.stderr.write('Error: No such image\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify(f) + '\\n');
  process.exit(0);
}
if (argv[0] === 'push') {
  const name = argv[argv.length - 1];
  const move = ${JSON.stringify(dir)} + '/move';
  if (fs.existsSync(move)) images[name] = { Id: fs.readFileSync(move, 'utf8'), RepoTags: [name], RepoDigests: [] }, fs.writeFileSync(${JSON.stringify(table)}, JSON.stringify(images));
  process.stdout.write('The push refers to repository [x]\\nabc: Pushed\\n' + name.split(':').pop() + ': digest: ${DIGEST} size: 527\\n');
}
process.exit(0);
`,
  { mode: 0o755 },
);

interface Call {
  argv: string[];
  input: string;
  dockerConfig: string;
  config: string | null;
}
const ran = (): Call[] =>
  fs.existsSync(calls)
    ? fs
        .readFileSync(calls, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Call)
    : [];
/** The docker calls other than the broker's inspect queries, without the emitter's `--`. */
const dockerCalls = (): string[][] =>
  ran()
    .map((c) => c.argv.filter((w) => w !== '--'))
    .filter((a) => a[0] !== 'image');

function setImages(map: Record<string, string>): void {
  const out: Record<string, unknown> = {};
  for (const [name, id] of Object.entries(map)) out[name] = { Id: id, RepoTags: [name], RepoDigests: [] };
  fs.writeFileSync(table, JSON.stringify(out));
}

const approvals: Record<
  string,
  {
    id: string;
    sha256: string;
    repository: string;
    state: string;
    history: { action: string; reason?: string; by: { user: string } }[];
  }
> = {
  [SHA_A]: { id: SHA_A.slice(0, 12), sha256: SHA_A, repository: REPO, state: 'approved', history: [] },
  [SHA_R]: {
    id: SHA_R.slice(0, 12),
    sha256: SHA_R,
    repository: REPO,
    state: 'revoked',
    history: [{ action: 'revoke', reason: 'CVE', by: { user: 'rev' } }],
  },
};
const builds: Record<string, { sha256: string; approvalId: string; builder: { user: string; uid: number } }[]> = {
  [ID_DEV1]: [{ sha256: SHA_A, approvalId: SHA_A.slice(0, 12), builder: { user: 'dev1', uid: 1 } }],
  [ID_DEV2]: [{ sha256: SHA_A, approvalId: SHA_A.slice(0, 12), builder: { user: 'dev2', uid: 2 } }],
  [ID_REVOKED]: [{ sha256: SHA_R, approvalId: SHA_R.slice(0, 12), builder: { user: 'dev1', uid: 1 } }],
};
let pushes: unknown[] = [];
const store: ImageStore = {
  approvalFor: (sha) => approvals[sha],
  provenanceOf: (id) => (builds[id] ? { builds: builds[id] } : undefined),
  recordPush: (p) => void pushes.push(p),
};

function ctx(uid: number, admin = false): BrokerContext {
  return {
    engine: {
      docker: fake,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DOCKER_CONFIG: path.join(users, String(uid), '.docker') },
    },
    caller: { user: `dev${uid}`, uid, viaSudo: true },
    policy: { ...DEFAULT_POLICY, trustedRegistries: [REG] },
    admin,
    records: dir,
    store: () => ({ approvalFor: () => undefined, recordBuild: () => undefined, provenanceOf: () => undefined }),
  };
}
const deps = (extra: Partial<ImageDeps> = {}): ImageDeps => ({
  store: () => store,
  usersDir: users,
  owner: process.getuid?.(),
  ...extra,
});
const verb = (uid: number, argv: string[], extra: Partial<ImageDeps> = {}, admin = false) =>
  brokerImageVerb(ctx(uid, admin), parseDockerArgv(argv), deps(extra));

let stderr = '';
let stdout = '';
beforeEach(() => {
  fs.rmSync(calls, { force: true });
  pushes = [];
  stderr = '';
  stdout = '';
  fs.rmSync(path.join(dir, 'move'), { force: true });
  fs.rmSync(path.join(dir, 'read-stdin'), { force: true });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  setImages({
    [`${REPO}:1`]: ID_DEV1,
    [`${REPO}:2`]: ID_DEV2,
    [`${REG}/base/web:1`]: ID_BASE,
    [`${REPO}:old`]: ID_REVOKED,
    [`${REPO}:pulled`]: ID_BASE,
  });
});
afterAll(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('push', () => {
  it('an approved build to its approval repository: pushed, digest recorded and in the outcome', async () => {
    const o = await verb(1, ['push', `${REPO}:1`]);
    expect(o).toMatchObject({
      exit: 0,
      verdict: 'allowed',
      approval: SHA_A.slice(0, 12),
      note: `pushed ${REPO}:1 ${DIGEST}`,
    });
    expect(dockerCalls()).toEqual([['push', `${REPO}:1`]]);
    expect(pushes).toEqual([
      {
        imageId: ID_DEV1,
        name: `${REPO}:1`,
        digest: DIGEST,
        by: { user: 'dev1', uid: 1 },
        approvalId: SHA_A.slice(0, 12),
        sha256: SHA_A,
      },
    ]);
    expect(stdout).toContain(`1: digest: ${DIGEST}`);
  });
  it('a pulled image, or an approved repository tag pointing at one: 77 with the reason and the fix', async () => {
    for (const name of [`${REG}/base/web:1`, `${REPO}:pulled`]) {
      stderr = '';
      const o = await verb(1, ['push', name]);
      expect(o).toMatchObject({ exit: 77, verdict: 'refused', rules: ['push-approved'] });
      expect(stderr).toMatch(/not built here from an approved Dockerfile.*pulled/);
      expect(stderr).toContain('cida-docker build');
    }
    expect(dockerCalls()).toEqual([]);
  });
  it('a revoked approval: 77, naming the revocation', async () => {
    const o = await verb(1, ['push', `${REPO}:old`]);
    expect(o.exit).toBe(77);
    expect(stderr).toMatch(/revoked by rev: CVE/);
    expect(dockerCalls()).toEqual([]);
  });
  it('outside the approval repository: 77', async () => {
    setImages({ [`${REG}/other/web:1`]: ID_DEV1 });
    const o = await verb(1, ['push', `${REG}/other/web:1`]);
    expect(o.exit).toBe(77);
    expect(stderr).toContain(`covers ${REPO} only`);
  });
  it('--all-tags and digests are refused; a missing tag answers like docker', async () => {
    expect((await verb(1, ['push', '--all-tags', REPO])).exit).toBe(77);
    expect((await verb(1, ['push', `${REPO}@${DIGEST}`])).exit).toBe(77);
    const o = await verb(1, ['push', `${REPO}:nope`]);
    expect(o.exit).toBe(1);
    expect(stderr).toContain('An image does not exist locally with the tag');
    expect(dockerCalls()).toEqual([]);
  });
  it('a tag re-pointed during the push is not recorded as the checked image', async () => {
    fs.writeFileSync(path.join(dir, 'move'), ID_BASE);
    const o = await verb(1, ['push', `${REPO}:1`]);
    expect(o.exit).toBe(0);
    expect(pushes).toEqual([]);
    expect(o.note).toMatch(/moved/);
  });
  it('a credential handed in the request: a private temporary DOCKER_CONFIG for that registry only, removed afterwards', async () => {
    const auth = Buffer.from('dev1:s3cret').toString('base64');
    await verb(1, ['push', `${REPO}:1`], { auth: { registry: REG, auth } });
    const call = ran().find((c) => c.argv[0] === 'push') as Call;
    expect(call.dockerConfig).not.toBe(path.join(users, '1', '.docker'));
    expect(JSON.parse(call.config ?? '{}')).toEqual({ auths: { [REG]: { auth } } });
    expect(fs.existsSync(call.dockerConfig)).toBe(false);
    // for another registry it is not used
    fs.rmSync(calls, { force: true });
    await verb(1, ['push', `${REPO}:1`], { auth: { registry: 'other.example:5000', auth } });
    expect((ran().find((c) => c.argv[0] === 'push') as Call).dockerConfig).toBe(path.join(users, '1', '.docker'));
  });
});

describe('pushedDigest: docker output is hostile', () => {
  it.each([
    [`1: digest: ${DIGEST} size: 527`, '1', DIGEST],
    [`x\n1: digest: ${DIGEST} size: 527\n`, '1', DIGEST],
    [`2: digest: ${DIGEST} size: 527`, '1', null],
    [`1: digest: ${DIGEST} size: 527 extra`, '1', null],
    [`evil 1: digest: ${DIGEST} size: 527`, '1', null],
    [`1: digest: sha256:${'D'.repeat(64)} size: 527`, '1', null],
    [`1: digest: sha256:${'d'.repeat(63)} size: 527`, '1', null],
    ['', '1', null],
  ])('%j (tag %s) → %s', (out, tag, want) => {
    expect(pushedDigest(out, tag)).toBe(want);
  });
  it('parseImageFacts takes strict shapes only', () => {
    expect(parseImageFacts(`{"Id":"${ID_DEV1}","RepoTags":null,"RepoDigests":[]}`)).toEqual({
      id: ID_DEV1,
      repoTags: [],
      repoDigests: [],
    });
    for (const bad of [
      '',
      'null',
      '[]',
      '{"Id":"sha256:1"}',
      `{"Id":"${ID_DEV1}","RepoTags":[1]}`,
      `{"Id":"${ID_DEV1}x"}`,
    ])
      expect(parseImageFacts(bad)).toBeNull();
  });
});

describe('tag', () => {
  it('own approved build into its repository, a new name: allowed', async () => {
    const o = await verb(1, ['tag', `${REPO}:1`, `${REPO}:stable`]);
    expect(o).toMatchObject({ exit: 0, approval: SHA_A.slice(0, 12) });
    expect(dockerCalls()).toEqual([['tag', `${REPO}:1`, `${REPO}:stable`]]);
  });
  it('a pulled base image into the approved repository: 77', async () => {
    expect((await verb(1, ['tag', `${REG}/base/web:1`, `${REPO}:3`])).exit).toBe(77);
    expect(stderr).toMatch(/not built here/);
  });
  it("re-pointing the base image's name, or another developer's build's name: 77", async () => {
    expect((await verb(1, ['tag', `${REPO}:1`, `${REG}/base/web:1`])).exit).toBe(77);
    expect((await verb(1, ['tag', `${REPO}:1`, `${REPO}:2`])).exit).toBe(77);
    expect(stderr).toMatch(/you did not build/);
    expect((await verb(1, ['tag', `${REPO}:1`, `${REPO}:pulled`])).exit).toBe(77);
    expect(dockerCalls()).toEqual([]);
  });
  it("into an unapproved repository, from another developer's build, from a revoked build: 77", async () => {
    expect((await verb(1, ['tag', `${REPO}:1`, `${REG}/team/other:1`])).exit).toBe(77);
    expect((await verb(1, ['tag', `${REPO}:2`, `${REPO}:mine`])).exit).toBe(77);
    expect(stderr).toMatch(/dev2 built, not you/);
    expect((await verb(1, ['tag', `${REPO}:old`, `${REPO}:again`])).exit).toBe(77);
    expect(dockerCalls()).toEqual([]);
  });
  it('moving a name between two of your own builds: allowed', async () => {
    builds[ID_DEV2].push({ sha256: SHA_A, approvalId: SHA_A.slice(0, 12), builder: { user: 'dev1', uid: 1 } });
    try {
      expect((await verb(1, ['tag', `${REPO}:1`, `${REPO}:2`])).exit).toBe(0);
    } finally {
      builds[ID_DEV2].pop();
    }
  });
});

describe('rmi', () => {
  it('a developer removes tags of their own builds, by name', async () => {
    expect((await verb(1, ['rmi', `${REPO}:1`])).exit).toBe(0);
    expect(dockerCalls()).toEqual([['rmi', `${REPO}:1`]]);
  });
  it("not a pulled image, not another developer's build, not by id: 77", async () => {
    for (const ref of [`${REG}/base/web:1`, `${REPO}:2`, ID_DEV1, hex('1').slice(0, 12)])
      expect((await verb(1, ['rmi', ref])).exit, ref).toBe(77);
    expect(dockerCalls()).toEqual([]);
  });
  it('an administrator removes anything', async () => {
    expect((await verb(9, ['rmi', `${REG}/base/web:1`], {}, true)).exit).toBe(0);
    expect(dockerCalls()).toEqual([['rmi', `${REG}/base/web:1`]]);
  });
});

describe('login and logout', () => {
  it("-p: docker gets the password on stdin with --password-stdin, never in its argv; docker's warning is printed", async () => {
    fs.writeFileSync(path.join(dir, 'read-stdin'), '');
    const o = await verb(1, ['login', '-u', 'dev1', '-p', 'hunter2', `https://${REG}/v1/`]);
    expect(o.exit).toBe(0);
    const c = ran()[0];
    expect(c.argv.join(' ')).not.toContain('hunter2');
    expect(c.argv).toContain('--password-stdin');
    expect(c.argv.filter((w) => w !== '--').slice(-1)).toEqual([REG]);
    expect(c.input).toBe('hunter2');
    expect(stderr).toContain('WARNING! Using --password via the CLI is insecure');
    expect(o.finalArgv.join(' ')).not.toContain('hunter2');
  });
  it("Docker Hub's spellings log in with no server; the config is the caller's own", async () => {
    for (const s of [[], ['docker.io'], ['index.docker.io'], ['https://index.docker.io/v1/']]) {
      fs.rmSync(calls, { force: true });
      await verb(1, ['login', '-u', 'me', '--password-stdin', ...s]);
      expect(ran()[0].argv.filter((w) => !w.startsWith('-'))).toEqual(['login']);
      expect(ran()[0].dockerConfig).toBe(path.join(users, '1', '.docker'));
    }
  });
  it("logout: the normalised server, in the caller's own config", async () => {
    await verb(2, ['logout', `https://${REG}/`]);
    expect(ran()[0]).toMatchObject({ dockerConfig: path.join(users, '2', '.docker') });
    expect(ran()[0].argv.filter((w) => w !== '--')).toEqual(['logout', REG]);
  });
});

describe('per-user docker configuration', () => {
  it('directories 0700, config.json 0600; a symlink is not trusted', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-users-'));
    const u = path.join(root, 'users');
    expect(securePrivateConfig(u, 7)).toBeNull();
    for (const d of [u, `${u}/7`, `${u}/7/.docker`]) expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    fs.writeFileSync(`${u}/7/.docker/config.json`, '{}', { mode: 0o644 });
    fs.chmodSync(`${u}/7`, 0o755);
    expect(securePrivateConfig(u, 7)).toBeNull();
    expect(fs.statSync(`${u}/7/.docker/config.json`).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${u}/7`).mode & 0o777).toBe(0o700);
    fs.symlinkSync('/etc', `${u}/8`);
    expect(securePrivateConfig(u, 8)).toMatch(/not a directory/);
    fs.rmSync(`${u}/7/.docker/config.json`);
    fs.symlinkSync('/root/.docker/config.json', `${u}/7/.docker/config.json`);
    expect(securePrivateConfig(u, 7)).toMatch(/not a regular file/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
