import { describe, expect, it } from 'vitest';
import { POLICY_PATH } from '../policy/policy.js';
import { parseLintArgs } from './lint.js';

describe("lint's own flags, declared once (the oclif command shows them, this reads them)", () => {
  it('files, --format and --policy in every spelling', () => {
    expect(parseLintArgs([])).toEqual({ files: ['Dockerfile'], format: 'tty', policy: POLICY_PATH });
    expect(parseLintArgs(['a', '--format', 'json', 'b'])).toEqual({
      files: ['a', 'b'],
      format: 'json',
      policy: POLICY_PATH,
    });
    expect(parseLintArgs(['--format=sarif', '--policy=/tmp/p.json', '-'])).toEqual({
      files: ['-'],
      format: 'sarif',
      policy: '/tmp/p.json',
    });
    expect(parseLintArgs(['--', '--weird-name'])).toMatchObject({ files: ['--weird-name'] });
  });
  it('usage errors say what is wrong', () => {
    expect(parseLintArgs(['--format', 'xml'])).toMatch(/--format must be one of tty, json, sarif/);
    expect(parseLintArgs(['--format'])).toBe('--format needs a value');
    expect(parseLintArgs(['--fix'])).toBe('unknown flag --fix');
  });
});
