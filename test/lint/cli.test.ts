// `cida-docker lint` as a user runs it (needs `npm run build`, which CI does first): exit codes,
// output formats, stdin, usage and policy errors without stack traces.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const corpus = path.join(root, 'test/corpus');
const policy = path.join(corpus, 'policy.json');
const good = path.join(corpus, 'good/node.Dockerfile');
const bad = path.join(corpus, 'bad/curl-sh.Dockerfile');

function lint(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'lint', ...args], {
    cwd: os.tmpdir(),
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!fs.existsSync(path.join(root, 'dist/commands/lint.js')))(
  'cida-docker lint',
  { timeout: 60_000 },
  () => {
    test('exit 0 for an approvable file, 1 when an error finding is present', () => {
      expect(lint(['--policy', policy, good]).code).toBe(0);
      const r = lint(['--policy', policy, good, bad]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/curl-sh\.Dockerfile:2:\d+: error curl-pipe-shell: /);
      expect(r.stdout).toContain('  2 | RUN apt-get update');
      expect(r.stdout).toContain('fix: ');
    });
    test('info findings alone still exit 0', () => {
      expect(lint(['--policy', policy, path.join(corpus, 'good/advisory-only.Dockerfile')]).code).toBe(0);
    });
    test('--format json: one object per file, one per line, exactly the documented keys', () => {
      const r = lint(['--format', 'json', '--policy', policy, good, bad]);
      const objs = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(objs.map((o) => [o.file, o.approvable])).toEqual([
        [good, true],
        [bad, false],
      ]);
      expect(Object.keys(objs[1])).toEqual(['file', 'approvable', 'findings']);
      expect(Object.keys(objs[1].findings[0])).toEqual(['rule', 'severity', 'line', 'column', 'message', 'fix']);
    });
    test('stdin with -', () => {
      const r = lint(
        ['--format', 'json', '--policy', policy, '-'],
        'FROM registry.example.internal/base/a:1\nUSER 0\n',
      );
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule)).toContain('root-user');
    });
    test('--format sarif', () => {
      const r = lint(['--format', 'sarif', '--policy', policy, bad]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).version).toBe('2.1.0');
    });
    test('usage errors exit 2, bad policies 78, without stack traces', () => {
      const missing = lint(['--policy', policy, '/nonexistent/Dockerfile']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read /nonexistent/Dockerfile');
      expect(lint(['--format', 'xml', good]).code).toBe(2);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-lint-'));
      const lowered = path.join(dir, 'p.json');
      fs.writeFileSync(lowered, JSON.stringify({ lint: { severities: { 'root-user': 'info' } } }));
      const r = lint(['--policy', lowered, good]);
      expect(r.code).toBe(78);
      expect(r.stderr).toContain('cannot be lowered');
      fs.writeFileSync(lowered, JSON.stringify({ lint: { severities: { 'no-such-rule': 'off' } } }));
      expect(lint(['--policy', lowered, good]).code).toBe(78);
      fs.writeFileSync(
        lowered,
        JSON.stringify({
          lint: { severities: { 'missing-healthcheck': 'off' } },
          trustedRegistries: ['registry.example.internal'],
        }),
      );
      expect(lint(['--policy', lowered, good]).code).toBe(0);
      fs.rmSync(dir, { recursive: true });
      for (const x of [missing.stderr, r.stderr]) expect(x).not.toMatch(/\n\s+at /);
    });
  },
);
