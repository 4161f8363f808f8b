import { describe, expect, it } from 'vitest';
import { isCleanEntryName } from './build-request.js';
import { parseRequest, RequestError } from './request.js';

const req = (o: Record<string, unknown>): string =>
  JSON.stringify({
    v: 1,
    kind: 'build',
    cwd: '/x',
    argv: ['build', '-t', 'r/a:1', '.'],
    dockerfile: 'Dockerfile',
    ...o,
  });

describe('build request', () => {
  it('parses a well-formed request', () => {
    expect(parseRequest(req({ ciJob: 'job-1' }))).toEqual({
      v: 1,
      kind: 'build',
      cwd: '/x',
      argv: ['build', '-t', 'r/a:1', '.'],
      dockerfile: 'Dockerfile',
      ciJob: 'job-1',
    });
  });
  it.each(['../etc/passwd', '/etc/passwd', 'a/../b', './Dockerfile', 'a//b', 'a/', '', 'x\ny', 'a/./b'])(
    'refuses the entry name %j',
    (name) => {
      expect(isCleanEntryName(name)).toBe(false);
      expect(() => parseRequest(req({ dockerfile: name }))).toThrow(RequestError);
    },
  );
  it('refuses unknown fields and bad argv', () => {
    expect(() => parseRequest(req({ context: '/home' }))).toThrow(/unknown request field "context"/);
    expect(() => parseRequest(req({ argv: 'build .' }))).toThrow(RequestError);
    expect(() => parseRequest(req({ argv: ['build', 'a\0b'] }))).toThrow(RequestError);
  });
});
