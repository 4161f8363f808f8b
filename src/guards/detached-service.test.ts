import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'detached-service';
const FALSE = ['false', 'False', 'FALSE', 'f', 'F', '0'];
const TRUE = ['true', 'True', 'TRUE', 't', 'T', '1'];

describe('detached-service: refused', () => {
  it.each(FALSE)('--detach=%s, -d=%s, -itd=%s', (v) => {
    for (const flag of [`--detach=${v}`, `-d=${v}`, `-itd=${v}`])
      expect(verdict(['run', flag, IMAGE]), flag).toEqual([ID]);
  });
  it.each(FALSE)('--publish-all=%s, -P=%s, -dP=%s', (v) => {
    for (const flag of [`--publish-all=${v}`, `-P=${v}`, `-dP=${v}`])
      expect(verdict(['run', flag, IMAGE]), flag).toEqual([ID]);
  });
  it('last occurrence wins', () => {
    expect(verdict(['run', '-d', '--detach=false', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '-P', '-P=0', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--detach=false', '-d', '--publish-all=false', '-P', IMAGE])).toEqual([]);
  });
  it.each([
    ['-a', 'stdout'],
    ['-astdout'],
    ['-a=stderr'],
    ['--attach', 'stdin'],
    ['--attach=stdout'],
    ['-ia', 'stdin'],
    ['-ta', 'stdout'],
  ])('%s refused by the flag table', (...flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([ID]);
  });
  it('explains how to follow the output instead', () => {
    const d = decide(['run', '-d=false', '-P=false', IMAGE], TEST_POLICY);
    expect(d.violations.map((v) => v.message)).toEqual([
      '--detach=false: services always run detached (cida-docker adds --detach)',
      '--publish-all=false: services always publish their exposed ports (cida-docker adds --publish-all)',
    ]);
    for (const v of d.violations) expect(v.fix).toMatch(/cida-docker logs -f/);
    const a = decide(['run', '-a', 'stdout', IMAGE], TEST_POLICY);
    expect(a.violations[0]?.message).toMatch(/--attach/);
    expect(a.violations[0]?.fix).toMatch(/cida-docker logs -f/);
  });
});

describe('detached-service: allowed', () => {
  it.each(TRUE)('--detach=%s / -P=%s', (v) => {
    expect(verdict(['run', `--detach=${v}`, `--publish-all=${v}`, IMAGE])).toEqual([]);
    expect(verdict(['run', `-d=${v}`, `-P=${v}`, IMAGE])).toEqual([]);
  });
  it.each([[['-d']], [['-P']], [['-dP']], [['-itdP']], [[]], [['--rm', '-it']]])('run %j', (flags) => {
    const d = decide(['run', ...flags, IMAGE], TEST_POLICY);
    expect(d.violations).toEqual([]);
    expect(d.argv).toContain('--detach');
    expect(d.argv).toContain('--publish-all');
  });
  it('after the image the flags belong to the container command', () => {
    expect(verdict(['run', IMAGE, '--detach=false', '-a', 'stdout'])).toEqual([]);
  });
  it('exec may run attached or detached; start may attach', () => {
    expect(verdict(['exec', '-d=false', 'web', 'sh'])).toEqual([]);
    expect(verdict(['exec', '-d', 'web', 'touch', '/tmp/x'])).toEqual([]);
    expect(verdict(['start', '-a', 'web'])).toEqual([]);
  });
});
