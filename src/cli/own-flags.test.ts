import { expect, test } from 'vitest';
import { OwnFlagError, splitOwnFlags } from './own-flags.js';

const spec = { booleans: ['json'], values: ['policy'] };

test('our flags come first; the docker argv starts at -- (removed)', () => {
  const s = splitOwnFlags(['--json', '--policy', 'p.json', '--', 'run', '-e', 'A', '-e', 'A', 'img'], spec);
  expect([...s.booleans]).toEqual(['json']);
  expect(s.values.get('policy')).toBe('p.json');
  expect(s.rest).toEqual(['run', '-e', 'A', '-e', 'A', 'img']);
});

test('the docker argv also starts at the first argument that is not ours', () => {
  expect(splitOwnFlags(['--policy=p', 'run', '--json', 'img'], spec).rest).toEqual(['run', '--json', 'img']);
  expect(splitOwnFlags(['-H', 'x', 'ps'], spec).rest).toEqual(['-H', 'x', 'ps']);
  expect(splitOwnFlags(['--privileged'], spec).rest).toEqual(['--privileged']);
});

test('a second -- belongs to docker', () => {
  expect(splitOwnFlags(['--', '--', 'x'], spec).rest).toEqual(['--', 'x']);
});

test('a value flag without its value is an error', () => {
  expect(() => splitOwnFlags(['--policy'], spec)).toThrow(OwnFlagError);
});
