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
    'http://example.com/ctx.tar.gz',
    'https://example.com/ctx.tar',
    'https://github.com/docker/cli.git',
    'https://github.com/docker/cli.git#v28.2.2',
    'git://example.com/repo',
    'git@github.com:docker/cli.git',
    'github.com/docker/cli',
    'app.git',
    'repo.git#main',
    'ssh://git@example.com/r',
    '',
  ])('build %j refused (remote, or no directory)', (ctx) => {
    expect(refused(['build', '-t', IMAGE, ctx])).toBe(true);
  });
  // Root no longer reads the path: the front end packs it as the developer and streams it.
  it.each([
    '.',
    './',
    'app',
    '/home/alice/project',
    '..',
    '../other',
    './../../..',
    '/tmp/work',
    '-',
    'a/b/../../../c',
    '~',
  ])('build %j allowed (read by the front end as you)', (ctx) => {
    expect(verdict(['build', '-t', IMAGE, ctx])).toEqual([]);
  });
  it('a remote context names the fix: clone it first', () => {
    const d = decide(['build', 'https://github.com/docker/cli.git'], TEST_POLICY);
    expect(d.violations[0]?.message).toMatch(/git repository URL, which docker would fetch as root/);
    expect(d.violations[0]?.fix).toMatch(/git clone/);
  });
  it('a missing context is refused with the fix', () => {
    expect(refused(['build', '-t', IMAGE])).toBe(true);
  });
});

describe('build-context: -f/--file', () => {
  const spell = (f: string): string[][] => [
    ['-f', f],
    [`-f${f}`],
    [`-f=${f}`],
    ['--file', f],
    [`--file=${f}`],
    ['-qf', f],
  ];
  it.each([
    ['../../Dockerfile', '.'],
    ['-', '.'],
    ['Dockerfile', 'app'],
    ['other/Dockerfile', 'app'],
    ['Dockerfile', '-'],
  ])('-f %s with context %s allowed in every spelling (read as you)', (f, ctx) => {
    for (const flags of spell(f)) expect(verdict(['build', ...flags, ctx]), flags.join(' ')).toEqual([]);
  });
  it('a URL as -f is refused', () => {
    expect(refused(['build', '-f', 'https://example.com/Dockerfile', '.'])).toBe(true);
  });
  it('the typical builds are allowed', () => {
    expect(verdict(['build', '-t', IMAGE, '-f', 'docker/Dockerfile.prod', '--build-arg', 'VERSION=1.0', '.'])).toEqual(
      [],
    );
    expect(verdict(['image', 'build', '--pull', '--no-cache', '-t', IMAGE, '.'])).toEqual([]);
    expect(verdict(['builder', 'build', '-t', IMAGE, 'app'])).toEqual([]);
  });
});

describe('build-context: --help needs no context', () => {
  it.each([
    [['build', '--help']],
    [['image', 'build', '--help']],
    [['builder', 'build', '--help']],
    [['--help', 'build']],
  ])('%j prints help: allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
  it('a remote context that is given is still checked', () => {
    expect(verdict(['build', '--help', 'git://x/y'])).toEqual(['build-context']);
  });
});

describe('build-context: the host system directories are no build material', () => {
  it.each([
    [['build', '-t', 'registry.example.internal/team/app:1', '/etc']],
    [['build', '-t', 'registry.example.internal/team/app:1', '/']],
    [['build', '-t', 'registry.example.internal/team/app:1', '/tmp/../root']],
    [['build', '-f', '/etc/shadow', '-t', 'registry.example.internal/team/app:1', '.']],
    [['build', '-f', '../../../../etc/shadow', '-t', 'registry.example.internal/team/app:1', '.']],
    [['build', '-t', 'registry.example.internal/team/app:1', '../../../var/lib/docker']],
  ])('%j is refused', (argv) => {
    expect(decide(argv, TEST_POLICY).violations.map((v) => v.rule)).toContain('build-context');
  });
  it.each([
    [['build', '-t', 'registry.example.internal/team/app:1', '/tmp/work']],
    [['build', '-t', 'registry.example.internal/team/app:1', './../../..']],
    [['build', '-t', 'registry.example.internal/team/app:1', '/home/dev1/app']],
    [['build', '-f', '../Dockerfile.prod', '-t', 'registry.example.internal/team/app:1', '.']],
    [['build', '-t', 'registry.example.internal/team/app:1', '-']],
    [['build', '-t', 'registry.example.internal/team/app:1', 'etc']], // a project's own ./etc
  ])('%j is allowed', (argv) => {
    expect(decide(argv, TEST_POLICY).violations.map((v) => v.rule)).not.toContain('build-context');
  });
});
