import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'root-user';

/** Every pflag spelling of -u/--user VALUE on run (and exec, with the container instead of the image). */
function userSpellings(v: string): string[][] {
  return [['-u', v], [`-u${v}`], [`-u=${v}`], ['--user', v], [`--user=${v}`], ['-itu', v], [`-itu${v}`], [`-itu=${v}`]];
}

describe('root-user: -u/--user root', () => {
  const ROOT = [
    '0',
    '00',
    '000',
    '+0',
    '-0',
    'root',
    'ROOT',
    'Root',
    '0:0',
    '1000:0',
    '1000:00',
    '1000:+0',
    '1000:root',
    'root:1000',
    '0:1000',
    ':0',
    ':root',
    'root:',
    '0:',
    '1000:0:junk',
    '0x0',
    '0X0',
    '0b0',
    '0o0',
    '0_0',
    ' 0',
    '1000: 0',
    '1000:0x0',
    // An empty user part in a non-empty value is GetExecUser's default user: uid 0, not the image's USER.
    ':',
    ':1000',
    ':app',
    '::',
    ':1000:1000',
  ];
  it.each(ROOT)('run -u %j refused in every spelling', (v) => {
    for (const flags of userSpellings(v)) expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
  });
  it.each(ROOT)('exec -u %j refused in every spelling', (v) => {
    for (const flags of userSpellings(v))
      expect(verdict(['exec', ...flags, 'web', 'sh']), flags.join(' ')).toEqual([ID]);
  });
  it.each(['1000:docker', '1000:wheel', '1000:sudo', 'app:adm', 'app:Docker', '1000:shadow', '1000:disk'])(
    'run/exec -u %j: a privileged group, as --group-add refuses it',
    (v) => {
      for (const flags of userSpellings(v)) {
        expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
        expect(verdict(['exec', ...flags, 'web', 'sh']), flags.join(' ')).toEqual([ID]);
      }
    },
  );
  it('last occurrence wins', () => {
    expect(verdict(['run', '-u', '1000', '-u', '0', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '-u', '0', '--user', '1000', IMAGE])).toEqual([]);
  });
  it('says what was refused', () => {
    const d = decide(['run', '-u', '1000:0', IMAGE], TEST_POLICY);
    expect(d.violations.map((v) => v.message)).toEqual(['--user 1000:0: group id 0 is gid 0 (group root)']);
    const r = decide(['exec', '--user=root', 'web', 'sh'], TEST_POLICY);
    expect(r.violations[0]?.message).toBe('--user root: user root is uid 0 (root) by name');
    const e = decide(['run', '-u', ':1000', IMAGE], TEST_POLICY);
    expect(e.violations.map((v) => v.message)).toEqual([
      "--user :1000: an empty user part means uid 0 (root) to docker, whatever the image's USER",
    ]);
  });
});

describe('root-user: -u/--user allowed', () => {
  it.each(['1000', '1000:1000', 'app', 'app:app', '65534', '', '1000:', 'app:staff', '10', '01000'])(
    'run/exec -u %j',
    (v) => {
      for (const flags of userSpellings(v).filter((f) => v !== '' || f.length === 2 || f[0]?.endsWith('='))) {
        expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([]);
        expect(verdict(['exec', ...flags, 'web', 'sh']), flags.join(' ')).toEqual([]);
      }
    },
  );
  it('after the image or container it belongs to the command', () => {
    expect(verdict(['run', IMAGE, '--user', 'root'])).toEqual([]);
    expect(verdict(['run', IMAGE, '-u', '0'])).toEqual([]);
    expect(verdict(['exec', 'web', 'curl', '-u', 'root:secret', 'http://localhost:8080/admin'])).toEqual([]);
    expect(verdict(['run', '--', IMAGE, '-u', '0'])).toEqual([]);
  });
});

describe('root-user: --group-add', () => {
  it.each([
    '0',
    '00',
    '+0',
    '-0',
    'root',
    'ROOT',
    'docker',
    'Docker',
    'wheel',
    'sudo',
    'adm',
    'shadow',
    'disk',
    'kmem',
    '0x0',
    ' 0',
  ])('--group-add %j refused', (g) => {
    expect(verdict(['run', '--group-add', g, IMAGE])).toEqual([ID]);
    expect(verdict(['run', `--group-add=${g}`, IMAGE])).toEqual([ID]);
  });
  it('every occurrence is checked', () => {
    expect(verdict(['run', '--group-add', '1000', '--group-add', '0', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--group-add', 'root', '--group-add', '1000', IMAGE])).toEqual([ID]);
  });
  it.each(['1000', 'staff', 'audio', 'app', '65534'])('--group-add %j allowed', (g) => {
    expect(verdict(['run', '--group-add', g, IMAGE])).toEqual([]);
  });
  it('after the image it belongs to the command', () => {
    expect(verdict(['run', IMAGE, '--group-add', '0'])).toEqual([]);
  });
});
