import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, TRUSTED, verdict } from './test-helpers.js';

const ID = 'trusted-image';
const HEX64 = '8a521bab6a4876c6ed3e09b72f5d6aeda3bfd222a612894470726f3b76f1c11c';
const refused = (argv: string[]): boolean => {
  const v = verdict(argv);
  return v === 'usage' || v.includes(ID);
};

const UNTRUSTED = [
  'alpine',
  'alpine:3.20',
  'docker.io/library/alpine',
  'index.docker.io/library/alpine:latest',
  'alice/app:1.0',
  'evil.example.com/x',
  TRUSTED,
  `${TRUSTED}:1.0`,
  `${TRUSTED}-mirror.example.com/team/app:1.0`,
  `${TRUSTED}.evil.com/x`,
  `${TRUSTED}:443/team/app:1.0`,
  `${TRUSTED}:5000/team/app:1.0`,
  'REGISTRY.EXAMPLE.INTERNAL/team/app:1.0',
  'Registry.example.internal/team/app',
  'localhost:5000/team/app',
  '127.0.0.1:5000/team/app',
  'registry.example.іnternal/team/app:1.0',
  'ｒegistry.example.internal/team/app',
  HEX64,
  `sha256:${HEX64}`,
  '3f57d9401f8d',
  `${TRUSTED}/team/${'a'.repeat(260)}`,
  `${TRUSTED}/Team/app`,
  'docker.io/registry.example.internal/team/app',
  `foo_${TRUSTED}/x`,
];

describe('trusted-image: run', () => {
  it.each(UNTRUSTED)('run %s refused', (image) => {
    expect(refused(['run', image])).toBe(true);
    expect(refused(['run', '-d', image, 'sh'])).toBe(true);
  });
  it.each([
    IMAGE,
    `${TRUSTED}/team/app`,
    `${TRUSTED}/geo/water/app:2.3.1`,
    `${TRUSTED}/team/app@sha256:${HEX64}`,
    `${TRUSTED}/team/app:1.0@sha256:${HEX64}`,
  ])('run %s allowed', (image) => {
    expect(verdict(['run', image])).toEqual([]);
  });
  it('the image is the first positional, as pflag reads it', () => {
    expect(refused(['run', '--entrypoint', IMAGE, 'alpine'])).toBe(true);
    expect(refused(['run', '-h', TRUSTED, 'alpine'])).toBe(true);
    expect(refused(['run', '--read-only', 'false', IMAGE])).toBe(true);
    expect(refused(['run', '--', '--privileged', IMAGE])).toBe(true);
    expect(verdict(['run', '--rm', '--', IMAGE, 'alpine'])).toEqual([]);
  });
  it('says what the name reads as', () => {
    const d = decide(['run', 'alpine'], TEST_POLICY);
    expect(d.violations[0]?.message).toBe(
      `image alpine: reads as docker.io/library/alpine, from registry docker.io, not a trusted registry (trusted: ${TRUSTED})`,
    );
    expect(decide(['run', HEX64], TEST_POLICY).violations[0]?.message).toMatch(/image id/);
  });
  it('an empty trustedRegistries allows no image', () => {
    expect(verdict(['run', IMAGE], DEFAULT_POLICY)).toEqual([ID]);
    expect(decide(['run', IMAGE], DEFAULT_POLICY).violations[0]?.fix).toMatch(/administrator/);
  });
});

describe('trusted-image: pull, push, tag', () => {
  it.each(UNTRUSTED)('pull/push %s refused', (image) => {
    expect(refused(['pull', image])).toBe(true);
    expect(refused(['push', image])).toBe(true);
  });
  it('pull and push a trusted image', () => {
    expect(verdict(['pull', IMAGE])).toEqual([]);
    expect(verdict(['pull', '-q', `${TRUSTED}/base/busybox:1.36`])).toEqual([]);
    expect(verdict(['pull', '--all-tags', `${TRUSTED}/team/app`])).toEqual([]);
    expect(verdict(['push', IMAGE])).toEqual([]);
    expect(verdict(['image', 'push', IMAGE])).toEqual([]);
    expect(verdict(['pull', `${TRUSTED}/team/app@sha256:${HEX64}`])).toEqual([]);
  });
  it.each(UNTRUSTED)('tag: source or target %s refused', (image) => {
    expect(refused(['tag', image, `${TRUSTED}/team/app:2`])).toBe(true);
    expect(refused(['tag', IMAGE, image])).toBe(true);
  });
  it('tag inside the trusted registry', () => {
    expect(verdict(['tag', IMAGE, `${TRUSTED}/team/app:latest`])).toEqual([]);
    expect(verdict(['image', 'tag', `${TRUSTED}/team/app@sha256:${HEX64}`, `${TRUSTED}/team/app:pinned`])).toEqual([]);
  });
  it('tag target with a digest is refused', () => {
    expect(refused(['tag', IMAGE, `${TRUSTED}/team/app@sha256:${HEX64}`])).toBe(true);
  });
});

describe('trusted-image: build -t and --cache-from', () => {
  it.each(UNTRUSTED.filter((i) => i !== HEX64))('build -t %s refused in every spelling', (t) => {
    for (const flags of [['-t', t], [`-t${t}`], [`-t=${t}`], ['--tag', t], [`--tag=${t}`], ['-qt', t]])
      expect(refused(['build', ...flags, '.']), flags.join(' ')).toBe(true);
  });
  it('every tag is checked', () => {
    expect(verdict(['build', '-t', IMAGE, '-t', 'alpine:latest', '.'])).toEqual([ID]);
    expect(verdict(['build', '-t', IMAGE, '-t', `${TRUSTED}/team/app:latest`, '.'])).toEqual([]);
  });
  it('build without -t is fine', () => {
    expect(verdict(['build', '.'])).toEqual([]);
  });
  it.each([
    'alpine',
    `${IMAGE},alpine`,
    `type=registry,ref=${IMAGE}`,
    `type=local,src=/etc`,
    `"${IMAGE}"`,
    HEX64,
    `${IMAGE},`,
  ])('--cache-from %s refused', (c) => {
    expect(refused(['build', '--cache-from', c, '.'])).toBe(true);
  });
  it('--cache-from trusted images', () => {
    expect(verdict(['build', '--cache-from', IMAGE, '.'])).toEqual([]);
    expect(verdict(['build', `--cache-from=${IMAGE},${TRUSTED}/team/app:latest`, '--cache-from', IMAGE, '.'])).toEqual(
      [],
    );
  });
});

describe('trusted-image: login and logout', () => {
  it.each([
    [['login', '-u', 'alice', '--password-stdin']],
    [['login', '-u', 'alice', '--password-stdin', 'evil.example.com']],
    [['login', `${TRUSTED}:443`]],
    [['login', 'docker.io']],
    [['login', 'https://index.docker.io/v1/']],
    [['login', 'REGISTRY.EXAMPLE.INTERNAL']],
    [['login', `${TRUSTED}.evil.com`]],
    [['login', `https://${TRUSTED}@evil.com`]],
    [['login', `ftp://${TRUSTED}`]],
    [['login', 'index.docker.io']],
    [['login', 'https://registry-1.docker.io/']],
  ])('%j refused', (argv) => {
    expect(refused(argv)).toBe(true);
  });
  it.each([
    [['login', '-u', 'alice', '--password-stdin', TRUSTED]],
    [['login', `https://${TRUSTED}`]],
    [['login', `http://${TRUSTED}/`]],
    [['login', `${TRUSTED}/`]],
    [['login', `https://${TRUSTED}/v2/`]],
    [['login', `https://${TRUSTED}/v1/`]],
    [['logout', TRUSTED]],
    [['logout', `https://${TRUSTED}/`]],
    // logout removes only the caller's own login: any registry, Docker Hub too.
    [['logout']],
    [['logout', 'evil.example.com']],
    [['logout', `http://${TRUSTED}:5000/`]],
  ])('%j allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
  it('Docker Hub is a registry like any other: trusted when the policy trusts docker.io', () => {
    const hub = { ...TEST_POLICY, trustedRegistries: [...TEST_POLICY.trustedRegistries, 'docker.io'] };
    for (const argv of [
      ['login'],
      ['login', 'docker.io'],
      ['login', 'index.docker.io'],
      ['login', 'https://index.docker.io/v1/'],
      ['login', '-u', 'me', '--password-stdin'],
    ])
      expect(decide(argv, hub, { user: 'u', uid: 1000 }).allowed, argv.join(' ')).toBe(true);
  });
  it('an untrusted Docker Hub login does not suggest another Docker Hub login', () => {
    const d = decide(['login', 'docker.io'], TEST_POLICY, { user: 'u', uid: 1000 });
    expect(d.allowed).toBe(false);
    expect(d.violations[0].message).toContain('Docker Hub');
    expect(d.violations[0].fix).not.toMatch(/docker\.io/);
    expect(d.violations[0].fix).toContain(`login ${TEST_POLICY.trustedRegistries[0]}`);
  });
});

describe('trusted-image: --help needs no image', () => {
  it.each([
    [['run', '--help']],
    [['container', 'run', '--help']],
    [['pull', '--help']],
    [['push', '--help']],
    [['tag', '--help']],
    [['login', '--help']],
    [['logout', '--help']],
    [['--help', 'login']],
    [['--help', 'pull']],
    [['image', 'push', '--help']],
  ])('%j prints help: allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
  it.each([
    [['run', '--help', 'alpine']],
    [['pull', '--help', 'alpine']],
    [['tag', '--help', 'alpine', `${TRUSTED}/x`]],
    [['login', '--help', 'evil.example.com']],
    [['run', '--help', '--privileged']],
    [['run', '--help=false']],
  ])('%j: what is named is still checked', (argv) => {
    expect(verdict(argv)).not.toEqual([]);
  });
});
