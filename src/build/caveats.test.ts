import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { TEST_POLICY } from '../guards/test-helpers.js';
import { storeCaveats } from './caveats.js';

describe('storeCaveats', () => {
  it('build and run name what only the broker knows; other verbs nothing', () => {
    expect(storeCaveats(parseDockerArgv(['build', '-t', 'x', '.']), TEST_POLICY).join(' ')).toMatch(
      /sha256.*approved.*repository/,
    );
    expect(storeCaveats(parseDockerArgv(['run', 'x']), TEST_POLICY).join(' ')).toMatch(/revoked/);
    expect(storeCaveats(parseDockerArgv(['ps']), TEST_POLICY)).toEqual([]);
  });
});
