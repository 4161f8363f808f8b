import { describe, expect, test } from 'vitest';
import { isSecretName } from './secret-in-env.js';
import { lines } from '../test-helpers.js';

const R = 'secret-in-env';
const B = 'FROM registry.example.internal/base/a:1';

describe('secret-in-env', () => {
  test('names', () => {
    for (const n of [
      'DB_PASSWORD',
      'password',
      'MYSQL_ROOT_PASSWD',
      'GITHUB_TOKEN',
      'NPM_TOKEN',
      'API_SECRET',
      'AWS_ACCESS_KEY_ID',
      'AWS_REGION',
      'STRIPE_API_KEY',
      'SSH_PRIVATE_KEY',
      'CREDENTIALS',
    ])
      expect(isSecretName(n), n).toBe(true);
    for (const n of ['PATH', 'NODE_ENV', 'DB_PASSWORD_FILE', 'TOKENIZERS_PARALLELISM', 'JAVA_OPTS', 'GPG_KEY_SERVER'])
      expect(isSecretName(n), n).toBe(false);
  });
  test('ENV in both forms, ARG with several names, global ARGs', () => {
    expect(
      lines(R, [
        'ARG NPM_TOKEN',
        B,
        'ENV A=1 DB_PASSWORD=x',
        'ENV API_SECRET hunter2',
        'ARG X=1 AWS_SECRET_ACCESS_KEY',
      ]),
    ).toEqual([1, 3, 4, 5]);
  });
  test('a secret mounted at build time is fine', () => {
    expect(
      lines(R, [B, 'RUN --mount=type=secret,id=npm_token npm ci', 'ENV DB_PASSWORD_FILE=/run/secrets/db']),
    ).toEqual([]);
  });
});
