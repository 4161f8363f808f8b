// Every Dockerfile of test/corpus gets the verdict and the rule ids its manifest expects.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { lintDockerfile } from '../../src/dockerfile/index.js';
import { loadPolicy } from '../../src/policy/load.js';

const dir = path.resolve(import.meta.dirname, '../corpus');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<
  string,
  { approvable: boolean; rules: string[] }
>;
const policy = loadPolicy(path.join(dir, 'policy.json'));
const files = ['good', 'bad'].flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => `${d}/${f}`)).sort();

describe('Dockerfile corpus', () => {
  test('the policy trusts the test registry', () => {
    expect(policy.trustedRegistries).toEqual(['registry.example.internal']);
  });
  test('every file has an expected verdict, and there are at least as many bad files as good ones', () => {
    expect(Object.keys(manifest).sort()).toEqual(files);
    const good = files.filter((f) => f.startsWith('good/'));
    expect(good.length).toBeGreaterThanOrEqual(4);
    expect(files.length - good.length).toBeGreaterThanOrEqual(good.length);
  });
  test.each(files)('%s', (file) => {
    const r = lintDockerfile(fs.readFileSync(path.join(dir, file), 'utf8'), policy, { file });
    const expected = manifest[file];
    expect({ approvable: r.approvable, rules: [...new Set(r.findings.map((f) => f.rule))].sort() }).toEqual(expected);
    expect(r.approvable).toBe(file.startsWith('good/'));
    for (const f of r.findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.fix.length).toBeGreaterThan(0);
    }
  });
});
