// The `auth` field of a docker request (Jenkins' per-block DOCKER_CONFIG credential): shape and bounds.
import { describe, expect, it } from 'vitest';
import { parseRequest, RequestError } from './request.js';

const base = { v: 1, kind: 'docker', argv: ['push', 'registry.example.internal:5000/team/web:1'], cwd: '/' };
const AUTH = Buffer.from('jenkins:pw').toString('base64');

describe('request field auth', () => {
  it('a registry host[:port] and a base64 auth value', () => {
    const r = parseRequest(
      JSON.stringify({ ...base, auth: { registry: 'registry.example.internal:5000', auth: AUTH } }),
    );
    expect(r).toMatchObject({ auth: { registry: 'registry.example.internal:5000', auth: AUTH } });
    expect(parseRequest(JSON.stringify(base))).not.toHaveProperty('auth');
  });
  it.each([
    ['not an object', 'x'],
    ['extra field', { registry: 'r.example', auth: AUTH, password: 'x' }],
    ['a URL as registry', { registry: 'https://r.example/', auth: AUTH }],
    ['a path in registry', { registry: 'r.example/x', auth: AUTH }],
    ['not base64', { registry: 'r.example', auth: 'pw with spaces' }],
    ['too long', { registry: 'r.example', auth: 'A'.repeat(4097) }],
    ['missing auth', { registry: 'r.example' }],
  ])('%s: refused, and the message never quotes the value', (_why, auth) => {
    let err: unknown;
    try {
      parseRequest(JSON.stringify({ ...base, auth }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestError);
    expect((err as Error).message).not.toContain(AUTH);
    expect((err as Error).message).not.toContain('pw with spaces');
  });
});
