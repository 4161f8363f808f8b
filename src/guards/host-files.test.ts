import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'host-files';

describe('host-files: refused by the flag table', () => {
  const spell = (flag: string, v: string): string[][] => [[`--${flag}`, v], [`--${flag}=${v}`]];
  it.each([
    ['env-file', '/etc/shadow'],
    ['env-file', '/root/.aws/credentials'],
    ['label-file', '/root/.docker/config.json'],
    ['cidfile', '/etc/sudoers.d/cida'],
    ['env-file', 'local.env'],
  ])('run --%s %s', (flag, v) => {
    for (const flags of spell(flag, v)) expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
  });
  it('exec --env-file', () => {
    for (const flags of spell('env-file', '/etc/shadow'))
      expect(verdict(['exec', ...flags, 'web', 'env'])).toEqual([ID]);
  });
  it('build --iidfile', () => {
    for (const flags of spell('iidfile', '/etc/cron.d/cida'))
      expect(verdict(['build', ...flags, '-t', IMAGE, '.'])).toEqual([ID]);
  });
  it('repeated, every occurrence is refused once', () => {
    expect(verdict(['run', '--env-file', 'a.env', '--env-file', 'b.env', IMAGE])).toEqual([ID]);
  });
  it('names the flag and says what to do instead', () => {
    const d = decide(['run', '--cidfile', '/tmp/cid', IMAGE], TEST_POLICY);
    expect(d.violations[0]?.message).toMatch(/^--cidfile is not allowed/);
    expect(d.violations[0]?.fix).toMatch(/standard output/);
  });
});

describe('host-files: buildx-only flags are unknown to the legacy builder (usage errors)', () => {
  it.each([
    [['--secret', 'id=x,src=/etc/shadow']],
    [['--ssh', 'default=/root/.ssh/id_rsa']],
    [['--build-context', 'hostroot=/']],
    [['-o', 'type=local,dest=/etc']],
    [['--output=type=tar,dest=/etc/x']],
    [['--output', '/tmp/out']],
  ])('build %j', (flags) => {
    expect(verdict(['build', ...flags, '-t', IMAGE, '.'])).toBe('usage');
  });
});

describe('host-files: allowed', () => {
  it.each([
    [['run', '-e', 'KEY=value', '--label', 'com.example.k=v', IMAGE]],
    [['run', IMAGE, '--env-file', '/etc/shadow']],
    [['run', IMAGE, '--cidfile', '/tmp/cid']],
    [['exec', 'web', 'cat', '--env-file']],
    [['build', '-t', IMAGE, '.']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});
