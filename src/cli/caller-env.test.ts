import { describe, expect, it } from 'vitest';
import { callerEnvProblem, ciJobOf } from './caller-env.js';

describe('caller environment', () => {
  it("accepts this host's engine socket and nothing set", () => {
    expect(callerEnvProblem({})).toBeNull();
    expect(callerEnvProblem({ DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBeNull();
    expect(callerEnvProblem({ DOCKER_HOST: 'unix:///run/docker.sock', DOCKER_CONTEXT: 'default' })).toBeNull();
    expect(callerEnvProblem({ DOCKER_HOST: '' })).toBeNull();
  });
  it.each([
    [{ DOCKER_HOST: 'tcp://build-host:2376' }, 'DOCKER_HOST'],
    [{ DOCKER_HOST: 'unix:///tmp/evil.sock' }, 'DOCKER_HOST'],
    [{ DOCKER_HOST: 'ssh://me@elsewhere' }, 'DOCKER_HOST'],
    [{ DOCKER_CONTEXT: 'remote' }, 'DOCKER_CONTEXT'],
    [{ DOCKER_TLS_VERIFY: '1' }, 'DOCKER_TLS_VERIFY'],
    [{ DOCKER_CERT_PATH: '/home/me/.docker/certs' }, 'DOCKER_CERT_PATH'],
  ])('refuses %o', (env, name) => {
    const message = callerEnvProblem(env);
    expect(message).toContain(name);
    expect(message).toMatch(/only talks to this host's own Docker engine/);
    expect(message).toMatch(/unset/);
  });
  it('finds the CI job', () => {
    expect(ciJobOf({ BUILD_TAG: 'jenkins-app-7', CI_JOB_ID: '9' })).toBe('jenkins-app-7');
    expect(ciJobOf({ CI_JOB_ID: '9' })).toBe('9');
    expect(ciJobOf({})).toBeUndefined();
  });
});
