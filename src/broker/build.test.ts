import crypto from 'node:crypto';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { TEST_POLICY } from '../guards/test-helpers.js';
import { type ApprovalLookup, brokerBuild, finalBuildArgv, imageRunVerdict } from './build.js';

const REG = TEST_POLICY.trustedRegistries[0];
const REPO = `${REG}/team/app`;
const DF = `FROM ${REG}/base/x:1\nUSER 1000\n`;
const ARGDF = `ARG BASE=${REG}/base/x:1\nFROM \${BASE}\nUSER 1000\n`;
const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

function fakeStore(
  approved: Record<string, { state: string; repository?: string }>,
  images: Record<string, string[]> = {},
): ApprovalLookup & { recorded: unknown[] } {
  const recorded: unknown[] = [];
  return {
    recorded,
    approvalFor: (s) =>
      approved[s]
        ? {
            id: s.slice(0, 12),
            sha256: s,
            repository: approved[s].repository ?? REPO,
            state: approved[s].state,
            history: [],
          }
        : undefined,
    recordBuild: (b) => recorded.push(b),
    provenanceOf: (id) =>
      images[id] ? { builds: images[id].map((s) => ({ sha256: s, approvalId: s.slice(0, 12) })) } : undefined,
  };
}

async function* tarOf(dockerfile: string): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.finalize();
  await done;
  yield Buffer.concat(chunks);
}

const caller = { user: 'dev', uid: 1000, viaSudo: true };
let err = '';
beforeEach(() => {
  err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

function build(argv: string[], dockerfile: string, store: ApprovalLookup) {
  return brokerBuild(
    { v: 1, kind: 'build', argv, cwd: '/', dockerfile: 'Dockerfile' },
    {
      engine: { docker: '/bin/false', env: {} },
      caller,
      policy: TEST_POLICY,
      store: () => store,
      input: tarOf(dockerfile),
    },
  );
}

describe('brokerBuild refusals (nothing runs)', () => {
  it('an unapproved Dockerfile: 77 with the way to request one', async () => {
    const r = await build(['build', '-t', `${REPO}:1`, '.'], DF, fakeStore({}));
    expect(r.exit).toBe(77);
    expect(r.finalArgv).toEqual([]);
    expect(err).toMatch(/approval request -f Dockerfile --repo/);
  });
  it('pending and revoked are refused', async () => {
    expect(
      (await build(['build', '-t', `${REPO}:1`, '.'], DF, fakeStore({ [sha(DF)]: { state: 'pending' } }))).exit,
    ).toBe(77);
    expect(
      (await build(['build', '-t', `${REPO}:1`, '.'], DF, fakeStore({ [sha(DF)]: { state: 'revoked' } }))).exit,
    ).toBe(77);
    expect(err).toMatch(/revoked/);
  });
  it('a tag outside the repository: 77, Jenkins told what to write', async () => {
    const store = fakeStore({ [sha(DF)]: { state: 'approved' } });
    for (const t of [`${REG}/team/other:1`, 'myapp', `${REPO}x:1`, `${REG}/team/app/sub:1`]) {
      const r = await build(['build', '-t', `${REPO}:1`, '-t', t, '.'], DF, store);
      expect(r.exit, t).toBe(77);
    }
    expect(err).toMatch(/docker\.build/);
  });
  it('a build-arg that swaps the base, or BUILDKIT_SYNTAX: 77', async () => {
    const store = fakeStore({ [sha(ARGDF)]: { state: 'approved' } });
    const r = await build(['build', '--build-arg', 'BASE=alpine:3.20', '-t', `${REPO}:1`, '.'], ARGDF, store);
    expect(r.exit).toBe(77);
    expect(r.rules).toContain('untrusted-base');
    expect(
      (await build(['build', '--build-arg', 'BUILDKIT_SYNTAX=x/y', '-t', `${REPO}:1`, '.'], ARGDF, store)).exit,
    ).toBe(77);
  });
  it('the rulebook first: a cida.* label or an untrusted tag never reads the stream', async () => {
    const r = await build(
      ['build', '--label', 'cida.approval=x', '-t', `${REPO}:1`, '.'],
      DF,
      fakeStore({ [sha(DF)]: { state: 'approved' } }),
    );
    expect(r.exit).toBe(77);
  });
});

describe('finalBuildArgv', () => {
  it('reads from stdin, names the stream entry, adds labels, the build network and the memory ceiling', () => {
    const p = parseDockerArgv([
      'build',
      '-t',
      `${REPO}:1`,
      '-f',
      '/etc/shadow',
      '--build-arg',
      'HOME',
      '--build-arg',
      'A=1',
      '--network',
      'host',
      '/home',
    ]);
    const argv = finalBuildArgv(p, 'Dockerfile', ['cida.builder=dev'], '/tmp/x/iid', {
      ...TEST_POLICY,
      run: { ...TEST_POLICY.run, memory: '1g' } as typeof TEST_POLICY.run,
    });
    expect(argv.at(-1)).toBe('-');
    expect(argv.join(' ')).not.toMatch(/\/etc\/shadow|\/home|host/);
    expect(argv.join(' ')).toMatch(/--file Dockerfile|--file=Dockerfile|-f Dockerfile/);
    expect(argv.join(' ')).toMatch(/--network[= ]cida-build/);
    expect(argv.join(' ')).toMatch(/1g/);
    expect(argv.join(' ')).not.toMatch(/build-arg[= ]HOME\b/);
  });
});

describe('imageRunVerdict', () => {
  const img = `sha256:${'a'.repeat(64)}`;
  it('an image built here from a still-approved Dockerfile runs; from a revoked one it does not', () => {
    expect(
      imageRunVerdict(
        img,
        'local/x:1',
        TEST_POLICY,
        fakeStore({ [sha(DF)]: { state: 'approved' } }, { [img]: [sha(DF)] }),
      ).ok,
    ).toBe(true);
    const v = imageRunVerdict(
      img,
      `${REPO}:1`,
      TEST_POLICY,
      fakeStore({ [sha(DF)]: { state: 'revoked' } }, { [img]: [sha(DF)] }),
    );
    expect(v.ok).toBe(false);
  });
  it('otherwise: a trusted registry name, or refused under requireApprovedImage', () => {
    expect(imageRunVerdict(img, `${REG}/base/x:1`, TEST_POLICY, fakeStore({})).ok).toBe(true);
    expect(imageRunVerdict(img, 'alpine:3.20', TEST_POLICY, fakeStore({})).ok).toBe(false);
    expect(
      imageRunVerdict(
        img,
        'alpine:3.20',
        { ...TEST_POLICY, run: { ...TEST_POLICY.run, requireApprovedImage: false } },
        fakeStore({}),
      ).ok,
    ).toBe(true);
  });
});
