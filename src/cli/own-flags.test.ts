import { describe, expect, test } from 'vitest';
import Audit from '../commands/audit.js';
import Check from '../commands/check.js';
import Lint from '../commands/lint.js';
import { AUDIT_FLAGS } from './audit.js';
import { CHECK_FLAGS } from './check.js';
import { LINT_FLAGS } from './lint.js';
import { OwnFlagError, type OwnFlagSpec, parseOwnFlags } from './own-flags.js';

const spec: OwnFlagSpec = [
  { name: 'json', takesValue: false, description: 'j' },
  { name: 'policy', takesValue: true, description: 'p', default: '/etc/p.json' },
  { name: 'format', takesValue: true, description: 'f', options: ['tty', 'json'] },
];

describe('leading mode (check, audit): our flags, then a docker argv', () => {
  test('the docker argv starts at -- (removed)', () => {
    const s = parseOwnFlags(['--json', '--policy', 'p.json', '--', 'run', '-e', 'A', '-e', 'A', 'img'], spec);
    expect([...s.booleans]).toEqual(['json']);
    expect(s.values.get('policy')).toBe('p.json');
    expect(s.rest).toEqual(['run', '-e', 'A', '-e', 'A', 'img']);
  });

  test('or at the first argument that is not ours', () => {
    expect(parseOwnFlags(['--policy=p', 'run', '--json', 'img'], spec).rest).toEqual(['run', '--json', 'img']);
    expect(parseOwnFlags(['-H', 'x', 'ps'], spec).rest).toEqual(['-H', 'x', 'ps']);
    expect(parseOwnFlags(['--privileged'], spec).rest).toEqual(['--privileged']);
    // A switch given a value is not our switch: docker's argv starts there.
    expect(parseOwnFlags(['--json=false', 'ps'], spec).rest).toEqual(['--json=false', 'ps']);
  });

  test('a second -- belongs to docker', () => {
    expect(parseOwnFlags(['--', '--', 'x'], spec).rest).toEqual(['--', 'x']);
  });

  test('defaults fill the flags not given', () => {
    expect(parseOwnFlags(['ps'], spec).values.get('policy')).toBe('/etc/p.json');
    expect(parseOwnFlags(['ps'], spec).values.has('format')).toBe(false);
  });
});

describe('interspersed mode (lint): flags and arguments mix', () => {
  test('arguments are collected around the flags; -- ends the flags', () => {
    const s = parseOwnFlags(['a', '--format', 'json', 'b', '-', '--', '--weird'], spec, 'interspersed');
    expect(s.rest).toEqual(['a', 'b', '-', '--weird']);
    expect(s.values.get('format')).toBe('json');
  });

  test('an unknown flag is an error, not an argument', () => {
    expect(() => parseOwnFlags(['--fix'], spec, 'interspersed')).toThrow('unknown flag --fix');
    expect(() => parseOwnFlags(['-x'], spec, 'interspersed')).toThrow('unknown flag -x');
  });
});

test('usage errors say what is wrong', () => {
  expect(() => parseOwnFlags(['--policy'], spec)).toThrow(OwnFlagError);
  expect(() => parseOwnFlags(['--policy'], spec)).toThrow('--policy needs a value');
  expect(() => parseOwnFlags(['--format=xml'], spec)).toThrow('--format must be one of tty, json, got xml');
});

// Help is oclif's; parsing is ours. Both come from one spec, so they cannot drift apart.
test.each([
  ['check', Check, CHECK_FLAGS],
  ['audit', Audit, AUDIT_FLAGS],
  ['lint', Lint, LINT_FLAGS],
] as const)('%s --help shows exactly the flags its parser reads', (_name, command, flags) => {
  const shown = Object.entries(command.flags ?? {}).map(([name, f]) => ({
    name,
    takesValue: f.type === 'option',
    description: f.description,
    default: f.type === 'option' ? f.default : undefined,
    options: f.type === 'option' ? f.options : undefined,
  }));
  expect(shown).toEqual(
    flags.map((f) => ({
      name: f.name,
      takesValue: f.takesValue,
      description: f.description,
      default: f.default,
      options: f.options ? [...f.options] : undefined,
    })),
  );
});
