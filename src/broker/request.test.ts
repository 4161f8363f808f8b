import { describe, expect, it } from 'vitest';
import { cleanCiJob, encodeRequest, MAX_REQUEST_BYTES, parseRequest, RequestError } from './request.js';

describe('parseRequest', () => {
  it('round-trips a docker request', () => {
    const req = {
      v: 1,
      kind: 'docker',
      argv: ['run', '-e', 'A=b', 'img'],
      cwd: '/home/x',
      ciJob: 'jenkins-app-42',
      env: { TOKEN: 's' },
    } as const;
    expect(parseRequest(encodeRequest(req))).toEqual(req);
  });
  it('round-trips an audit request', () => {
    expect(parseRequest(JSON.stringify({ v: 1, kind: 'audit', cwd: '/', user: 'u', since: '2h' }))).toEqual({
      v: 1,
      kind: 'audit',
      cwd: '/',
      user: 'u',
      since: '2h',
    });
  });
  it.each([
    [undefined, /no request/],
    ['', /no request/],
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"v":2,"kind":"docker","argv":[],"cwd":"/"}', /version/],
    ['{"v":1,"kind":"shell","argv":[],"cwd":"/"}', /kind/],
    ['{"v":1,"kind":"docker","argv":"run","cwd":"/"}', /argv/],
    ['{"v":1,"kind":"docker","argv":[1],"cwd":"/"}', /argv/],
    ['{"v":1,"kind":"docker","argv":["a\\u0000b"],"cwd":"/"}', /argv/],
    ['{"v":1,"kind":"docker","argv":[]}', /cwd/],
    ['{"v":1,"kind":"docker","argv":[],"cwd":"/","docker":"/tmp/evil"}', /unknown request field "docker"/],
    ['{"v":1,"kind":"docker","argv":[],"cwd":"/","env":{"BAD NAME":"x"}}', /env/],
    ['{"v":1,"kind":"docker","argv":[],"cwd":"/","env":{"A":1}}', /env/],
    ['{"v":1,"kind":"audit","cwd":"/","argv":[]}', /unknown request field "argv"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRequest(text)).toThrow(RequestError);
    expect(() => parseRequest(text)).toThrow(message);
  });
  it('refuses a request larger than one environment string may be', () => {
    const argv = ['run', 'x'.repeat(MAX_REQUEST_BYTES)];
    expect(() => encodeRequest({ v: 1, kind: 'docker', argv, cwd: '/' })).toThrow(/too long/);
    expect(() => parseRequest(JSON.stringify({ v: 1, kind: 'docker', argv, cwd: '/' }))).toThrow(/too large/);
  });
  it('keeps only a printable one-line CI job id', () => {
    expect(cleanCiJob(' jenkins-my job-7 ')).toBe('jenkins-my job-7');
    expect(cleanCiJob('a\nb')).toBeUndefined();
    expect(cleanCiJob('x'.repeat(201))).toBeUndefined();
    expect(parseRequest(JSON.stringify({ v: 1, kind: 'docker', argv: [], cwd: '/', ciJob: 'a\u001bb' })).kind).toBe(
      'docker',
    );
  });
});
