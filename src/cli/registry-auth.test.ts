import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { authFromDockerConfig } from './registry-auth.js';

const REG = 'registry.example.internal:5000';
const AUTH = Buffer.from('jenkins:pw').toString('base64');

function configDir(content: unknown): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-dc-'));
  fs.writeFileSync(path.join(d, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return d;
}

describe("Jenkins' per-block DOCKER_CONFIG", () => {
  it('hands over only the entry of the registry the push names, whatever spelling the key has', () => {
    for (const key of [REG, `https://${REG}`, `https://${REG}/v1/`, `http://${REG}/`]) {
      const d = configDir({
        auths: { [key]: { auth: AUTH }, 'other.example': { auth: 'b3RoZXI6cHc=' } },
        credsStore: 'desktop',
      });
      expect(authFromDockerConfig(parseDockerArgv(['push', `${REG}/team/web:1`]), { DOCKER_CONFIG: d })).toEqual({
        registry: REG,
        auth: AUTH,
      });
      expect(authFromDockerConfig(parseDockerArgv(['pull', `${REG}/team/web:1`]), { DOCKER_CONFIG: d })).toEqual({
        registry: REG,
        auth: AUTH,
      });
    }
  });
  it('Docker Hub keys match docker.io names', () => {
    const d = configDir({ auths: { 'https://index.docker.io/v1/': { auth: AUTH } } });
    expect(authFromDockerConfig(parseDockerArgv(['push', 'docker.io/me/web:1']), { DOCKER_CONFIG: d })).toEqual({
      registry: 'docker.io',
      auth: AUTH,
    });
  });
  it('nothing without DOCKER_CONFIG, for other verbs or registries, or for a bad file', () => {
    const d = configDir({ auths: { [REG]: { auth: AUTH } } });
    expect(authFromDockerConfig(parseDockerArgv(['push', `${REG}/team/web:1`]), {})).toBeUndefined();
    expect(authFromDockerConfig(parseDockerArgv(['run', `${REG}/team/web:1`]), { DOCKER_CONFIG: d })).toBeUndefined();
    expect(
      authFromDockerConfig(parseDockerArgv(['push', 'other.example/team/web:1']), { DOCKER_CONFIG: d }),
    ).toBeUndefined();
    for (const bad of [
      '{',
      '[]',
      { auths: [] },
      { auths: { [REG]: { auth: 'not base64!' } } },
      { auths: { [REG]: { auth: 'A'.repeat(5000) } } },
      { auths: { [REG]: null } },
    ])
      expect(
        authFromDockerConfig(parseDockerArgv(['push', `${REG}/team/web:1`]), { DOCKER_CONFIG: configDir(bad) }),
      ).toBeUndefined();
  });
});
