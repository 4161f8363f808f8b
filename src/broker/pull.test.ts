// pull and run --pull always against a fake docker client whose local images the test sets: a
// name on another developer's build made here is never re-pointed to the registry's copy; a
// pulled image's name is (that is what a trusted name means), and so is one on the caller's own build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { captureStdio } from '../../test/capture-stdio.js';
import { parseDockerArgv } from '../docker/parse.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import type { BrokerContext } from './outcome.js';
import { brokerRun } from './run.js';
import { brokerImageVerb } from './images.js';

const REG = 'registry.example.internal:5000';
const REPO = `${REG}/team/web`;
const ID_DEV1 = `sha256:${'1'.repeat(64)}`; // built here by dev1 (uid 1001)
const ID_DEV2 = `sha256:${'2'.repeat(64)}`; // built here by dev2 (uid 1002)
const ID_PULLED = `sha256:${'b'.repeat(64)}`; // pulled: no provenance
const LOCAL: Record<string, string> = {
  [`${REPO}:dev1`]: ID_DEV1,
  [`${REPO}:dev2`]: ID_DEV2,
  [`${REPO}:pulled`]: ID_PULLED,
  [`${REG}/base/busybox:1`]: ID_PULLED,
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-pull-'));
const calls = path.join(dir, 'calls');
const fake = path.join(dir, 'docker');
fs.writeFileSync(
  fake,
  `#!/usr/bin/env node
const fs = require('fs');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify(argv) + '\\n');
const local = ${JSON.stringify(LOCAL)};
const last = argv[argv.length - 1];
if (argv[0] === 'image' && argv[1] === 'inspect') {
  if (!local[last]) process.exit(1);
  console.log(JSON.stringify({ Id: local[last], RepoTags: [last], RepoDigests: [] }));
} else if (argv[0] === 'image' && argv[1] === 'ls') {
  for (const n of Object.keys(local)) if (n.startsWith(last + ':')) console.log(JSON.stringify(n.slice(last.length + 1)));
} else if (argv[0] === 'create') {
  console.log('c'.repeat(64));
} else if (argv[0] === 'inspect' || argv[0] === 'network') process.exit(1);
`,
  { mode: 0o755 },
);

const store = () => ({
  approvalFor: () => undefined,
  recordBuild: () => undefined,
  recordPush: () => undefined,
  provenanceOf: (id: string) =>
    id === ID_DEV1
      ? { builds: [{ sha256: 'a', approvalId: 'A', builder: { user: 'dev1', uid: 1001 } }] }
      : id === ID_DEV2
        ? { builds: [{ sha256: 'a', approvalId: 'A', builder: { user: 'dev2', uid: 1002 } }] }
        : undefined,
});
function ctx(admin = false): BrokerContext {
  return {
    engine: { docker: fake, env: { PATH: '/usr/bin:/bin' } },
    caller: { user: 'dev1', uid: 1001, viaSudo: true },
    policy: { ...DEFAULT_POLICY, trustedRegistries: [REG] },
    admin,
    records: path.join(dir, 'records'),
    store,
  };
}

const io = captureStdio();
beforeEach(() => {
  fs.rmSync(calls, { force: true });
  fs.mkdirSync(path.join(dir, 'records'), { recursive: true, mode: 0o700 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ran = (verb: string): boolean =>
  fs.existsSync(calls) &&
  fs
    .readFileSync(calls, 'utf8')
    .split('\n')
    .filter(Boolean)
    .some((l) => (JSON.parse(l) as string[])[0] === verb);
const pull = (argv: string[], admin = false) =>
  brokerImageVerb(ctx(admin), parseDockerArgv(['pull', ...argv]), {
    store,
    usersDir: path.join(dir, 'users'),
    owner: process.getuid?.() ?? 0,
  });

describe("pull never re-points a name on another developer's build", () => {
  it("a name on dev2's build: dev1's pull is refused (77, which build, what to do), nothing pulled", async () => {
    const o = await pull([`${REPO}:dev2`]);
    expect(o.exit).toBe(77);
    expect(o.rules).toEqual(['pull-local-build']);
    expect(io.stderr).toContain(`which dev2 built on this host`);
    expect(io.stderr).toMatch(/fix: .*by digest/);
    expect(ran('pull')).toBe(false);
  });

  it("--all-tags: refused when any local tag of the repository is on another developer's build", async () => {
    const o = await pull(['--all-tags', REPO]);
    expect(o.exit).toBe(77);
    expect(io.stderr).toContain(`${REPO}:dev2`);
    expect(ran('pull')).toBe(false);
  });

  it("a pulled image's name, the caller's own build, a digest, a new name, or an administrator: pulled", async () => {
    for (const [argv, admin] of [
      [[`${REPO}:pulled`], false],
      [[`${REG}/base/busybox:1`], false],
      [[`${REPO}:dev1`], false],
      [[`${REPO}@sha256:${'d'.repeat(64)}`], false],
      [[`${REPO}:new`], false],
      [[`${REPO}:dev2`], true],
    ] as [string[], boolean][]) {
      fs.rmSync(calls, { force: true });
      const o = await pull(argv, admin);
      expect({ argv, exit: o.exit, pulled: ran('pull') }).toEqual({ argv, exit: 0, pulled: true });
    }
  });

  it("run --pull always of a name on dev2's build: refused before anything is created; --pull missing runs the local one", async () => {
    const run = (argv: string[]) => {
      const asked = parseDockerArgv(['run', '-d', ...argv]);
      return brokerRun(ctx(), asked, withForcedFlags(asked, ctx().policy, { user: 'dev1', uid: 1001 }));
    };
    const o = await run(['--pull', 'always', `${REPO}:dev2`]);
    expect(o.exit).toBe(77);
    expect(o.rules).toEqual(['pull-local-build']);
    expect(io.stderr).toContain('run --pull always');
    expect(ran('create')).toBe(false);
    // --platform makes docker pull the name when the local image is another platform's.
    const p = await run(['--platform', 'linux/arm64', `${REPO}:dev2`]);
    expect({ exit: p.exit, rules: p.rules }).toEqual({ exit: 77, rules: ['pull-local-build'] });
    expect(io.stderr).toContain('run --platform');
    expect(ran('create')).toBe(false);
    await run(['--pull', 'missing', `${REPO}:dev2`]);
    expect(ran('create')).toBe(true);
  });

  it('--all-tags of a Docker Hub repository lists its tags by the familiar name, as docker matches them', async () => {
    const hub = { ...ctx(), policy: { ...DEFAULT_POLICY, trustedRegistries: [REG, 'docker.io'] } };
    await brokerImageVerb(hub, parseDockerArgv(['pull', '--all-tags', 'docker.io/acme/app']), {
      store,
      usersDir: path.join(dir, 'users'),
      owner: process.getuid?.() ?? 0,
    });
    await brokerImageVerb(hub, parseDockerArgv(['pull', '--all-tags', 'nginx']), {
      store,
      usersDir: path.join(dir, 'users'),
      owner: process.getuid?.() ?? 0,
    });
    const listed = fs
      .readFileSync(calls, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[])
      .filter((a) => a[0] === 'image' && a[1] === 'ls')
      .map((a) => a.at(-1));
    expect(listed).toEqual(['acme/app', 'nginx']);
  });
});
