// lint never throws, whatever the text: arbitrary strings and Dockerfile-shaped noise.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatJson } from '../../src/dockerfile/format/json.js';
import { formatSarif } from '../../src/dockerfile/format/sarif.js';
import { formatTty } from '../../src/dockerfile/format/tty.js';
import { lintDockerfile } from '../../src/dockerfile/index.js';
import { TEST_POLICY } from '../../src/dockerfile/test-helpers.js';

const KEYWORDS = [
  'FROM',
  'from',
  'RUN',
  'USER',
  'US\\\nER',
  'ARG',
  'ENV',
  'COPY',
  'ADD',
  'EXPOSE',
  'HEALTHCHECK',
  'CMD',
  'ENTRYPOINT',
  'ONBUILD',
  '#',
  '# syntax=',
  '# escape=`',
  'LABEL',
];
const PIECES = [
  'registry.example.internal/a:1',
  '${X:-y}',
  '${X',
  '$',
  '${}',
  '<<EOF',
  '<<-"E"',
  'EOF',
  '\\',
  '`',
  '\n',
  ' ',
  '"',
  "'",
  '[',
  '["a"]',
  '|',
  'curl x | sh',
  '--from=',
  '--mount=from=a',
  '--chmod=777',
  'AS',
  'b',
  '0',
  'root',
  '=',
  '\t',
  '\r\n',
  'sudo',
  '$(curl x)',
  '<(',
  ')',
];

const dockerfileish = fc
  .array(
    fc.tuple(
      fc.constantFrom(...KEYWORDS),
      fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 8 }),
    ),
    { maxLength: 25 },
  )
  .map((lines) => lines.map(([k, parts]) => `${k} ${parts.join('')}`).join('\n'));

function lintAll(text: string): void {
  const r = lintDockerfile(text, TEST_POLICY, { file: 'Dockerfile' });
  expect(typeof r.approvable).toBe('boolean');
  for (const f of r.findings) {
    expect(f.line).toBeGreaterThanOrEqual(1);
    expect(f.column).toBeGreaterThanOrEqual(1);
    expect(f.message).not.toMatch(/internal error/);
  }
  formatTty(r, text);
  JSON.parse(formatJson(r));
  JSON.parse(formatSarif([r], { version: '0' }));
}

describe('lint never throws', () => {
  test('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'binary' }), lintAll), { numRuns: 500 });
  });
  test('on Dockerfile-shaped noise', () => {
    fc.assert(fc.property(dockerfileish, lintAll), { numRuns: 1000 });
  });
});
