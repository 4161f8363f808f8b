import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'build-context';
const refused = (argv: string[]): boolean => {
  const v = verdict(argv);
  return v === 'usage' || v.includes(ID);
};

describe('build-context: the context', () => {
  it.each([
    '/etc', '/', '/home/alice/project', '..', '../', '../other', 'app/../..', './app/../../x', 'a/b/../../../c', '-', '',
    'http://example.com/ctx.tar.gz', 'https://example.com/ctx.tar', 'https://github.com/docker/cli.git', 'https://github.com/docker/cli.git#v28.2.2',
    'git://example.com/repo', 'git@github.com:docker/cli.git', 'github.com/docker/cli', 'app.git', 'repo.git#main', 'ssh://git@example.com/r',
  ])('build %j refused', (ctx) => {
    expect(refused(['build', '-t', IMAGE, ctx])).toBe(true);
  });
  it.each(['.', './', 'app', 'app/', './app', 'app/..', 'a/b/../c', 'deep/er/dir', '~'])('build %j allowed', (ctx) => {
    expect(verdict(['build', '-t', IMAGE, ctx])).toEqual([]);
  });
  it('the message says the context will be streamed later', () => {
    const d = decide(['build', '/etc'], TEST_POLICY);
    expect(d.violations[0]?.message).toMatch(/build context \/etc: an absolute path/);
    expect(d.violations[0]?.fix).toMatch(/streams the build context from your side/);
  });
});

describe('build-context: -f/--file', () => {
  const spell = (f: string): string[][] => [['-f', f], [`-f${f}`], [`-f=${f}`], ['--file', f], [`--file=${f}`], ['-qf', f]];
  it.each([
    ['/etc/shadow', '.'], ['../../../../etc/shadow', '.'], ['-', '.'], ['Dockerfile', 'app'], ['app/../Dockerfile', 'app'],
    ['/work/app/Dockerfile', 'app'], ['other/Dockerfile', 'app'], ['app', 'app'], ['appx/Dockerfile', 'app'],
  ])('-f %s with context %s refused in every spelling', (f, ctx) => {
    for (const flags of spell(f)) expect(refused(['build', ...flags, ctx]), flags.join(' ')).toBe(true);
  });
  it.each([
    ['Dockerfile', '.'], ['docker/Dockerfile.prod', '.'], ['./Dockerfile', '.'], ['app/Dockerfile', 'app'], ['./app/Dockerfile', 'app/'],
    ['app/docker/Dockerfile', './app'], ['app/x/../Dockerfile', 'app'],
  ])('-f %s with context %s allowed', (f, ctx) => {
    for (const flags of spell(f)) expect(verdict(['build', ...flags, ctx]), flags.join(' ')).toEqual([]);
  });
  it('last -f wins', () => {
    expect(refused(['build', '-f', 'Dockerfile', '-f', '/etc/shadow', '.'])).toBe(true);
    expect(verdict(['build', '-f', '/etc/shadow', '-f', 'Dockerfile', '.'])).toEqual([]);
  });
  it('explains that -f is relative to the current directory', () => {
    const d = decide(['build', '-f', 'Dockerfile', 'app'], TEST_POLICY);
    expect(d.violations[0]?.message).toBe(
      '-f Dockerfile: outside the build context app (docker reads -f relative to the current directory, not the context)',
    );
  });
  it('the typical builds are allowed', () => {
    expect(verdict(['build', '-t', IMAGE, '-f', 'docker/Dockerfile.prod', '--build-arg', 'VERSION=1.0', '.'])).toEqual([]);
    expect(verdict(['image', 'build', '--pull', '--no-cache', '-t', IMAGE, '.'])).toEqual([]);
    expect(verdict(['builder', 'build', '-t', IMAGE, 'app'])).toEqual([]);
  });
});

describe('build-context: --help needs no context', () => {
  it.each([[['build', '--help']], [['image', 'build', '--help']], [['builder', 'build', '--help']], [['--help', 'build']]])(
    '%j prints help: allowed',
    (argv) => {
      expect(verdict(argv)).toEqual([]);
    },
  );
  it('a context or -f that is given is still checked', () => {
    expect(verdict(['build', '--help', '/etc'])).toEqual(['build-context']);
    expect(verdict(['build', '--help', '-f', '/etc/shadow'])).toEqual(['build-context']);
  });
});
