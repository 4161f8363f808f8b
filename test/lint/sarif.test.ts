// SARIF output validated against the OASIS SARIF 2.1.0 schema (test/fixtures).
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { formatSarif } from '../../src/dockerfile/format/sarif.js';
import { DOCKERFILE_RULES, lintDockerfile } from '../../src/dockerfile/index.js';
import { loadPolicy } from '../../src/policy/load.js';

const root = path.resolve(import.meta.dirname, '..');
const schemaJson = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/sarif-schema-2.1.0.json'), 'utf8')) as Record<
  string,
  unknown
>;
// Draft-04 `id` becomes `$id`; its `$schema` is dropped so Ajv uses its default draft.
const { id, ...rest } = schemaJson;
delete rest.$schema;
const ajv = new Ajv({ strict: false, allErrors: true });
const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
addFormats(ajv);
const validate = ajv.compile({ ...rest, $id: String(id) });

const corpus = path.join(root, 'corpus');
const policy = loadPolicy(path.join(corpus, 'policy.json'));
const results = ['good', 'bad'].flatMap((d) =>
  fs
    .readdirSync(path.join(corpus, d))
    .map((f) =>
      lintDockerfile(fs.readFileSync(path.join(corpus, d, f), 'utf8'), policy, { file: `test/corpus/${d}/${f}` }),
    ),
);

describe('SARIF 2.1.0', () => {
  test('the corpus report is valid against the schema', () => {
    const log = JSON.parse(formatSarif(results, { version: '0.1.0' }));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.runs[0].results.length).toBe(results.reduce((n, r) => n + r.findings.length, 0));
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(DOCKERFILE_RULES.map((r) => r.id));
  });
  test('an empty report, stdin and odd file names are valid too', () => {
    const odd = lintDockerfile('FROM x\n', policy, { file: 'dir with space/Dockerfile#1' });
    const stdin = lintDockerfile('FROM x\n', policy, { file: '-' });
    const abs = lintDockerfile('FROM x\n', policy, { file: '/abs/Dockerfile' });
    for (const rs of [[], [odd, stdin, abs]])
      expect(validate(JSON.parse(formatSarif(rs, { version: '0.1.0' }))), JSON.stringify(validate.errors)).toBe(true);
  });
  test('the validator does reject what is not SARIF 2.1.0', () => {
    const log = JSON.parse(formatSarif(results, { version: '0.1.0' }));
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });
  test('levels and locations', () => {
    const r = lintDockerfile('FROM node:20\nEXPOSE 80\n', policy, { file: 'Dockerfile' });
    const log = JSON.parse(formatSarif([r], { version: '0.1.0' }));
    const byRule = Object.fromEntries(log.runs[0].results.map((x: { ruleId: string }) => [x.ruleId, x]));
    expect(byRule['untrusted-base'].level).toBe('error');
    expect(byRule['privileged-port'].level).toBe('note');
    expect(byRule['privileged-port'].locations[0].physicalLocation.region).toEqual({
      startLine: 2,
      startColumn: 8,
      endColumn: 10,
    });
  });
});
