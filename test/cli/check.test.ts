// `cida-docker check` as a user runs it: the built CLI in a child process (npm test builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-check-'));
const policy = path.join(dir, 'policy.json');
fs.writeFileSync(policy, JSON.stringify({ trustedRegistries: ['registry.example.internal'] }));
const IMAGE = 'registry.example.internal/team/app:1.0';

function check(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'check', ...args], {
    encoding: 'utf8',
    cwd: dir,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cida-docker check', () => {
  test('allowed run: exit 0, JSON with the final argv, -d -P and hardening forced', () => {
    const r = check('--json', '--policy', policy, '--', 'run', '-p', '49200:80', IMAGE, 'sh', '-c', 'echo hi');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.allowed).toBe(true);
    expect(v.violations).toEqual([]);
    expect(v.argv).toEqual(
      expect.arrayContaining([
        'run',
        '--detach',
        '--publish-all',
        '--security-opt=no-new-privileges',
        '--cap-drop=ALL',
      ]),
    );
    expect(v.argv.slice(-5)).toEqual(['--', IMAGE, 'sh', '-c', 'echo hi']);
    expect(v.argv).toContain(`--label=cida.owner=${os.userInfo().username}`);
    // What the broker actually runs: create (with the same flags, less -d), start.
    expect(v.steps.map((s: string[]) => s[0])).toEqual(['create', 'start', 'logs', 'wait']); // no -d: a foreground run
    expect(v.steps[0]).toEqual(
      expect.arrayContaining(['--publish-all', '--security-opt=no-new-privileges', '--cap-drop=ALL']),
    );
    expect(v.steps[0]).not.toContain('--detach');
    expect(v.steps[1]).toEqual(['start', '--', 'CONTAINER']);
  });

  test('a foreground run with --rm shows the steps that follow it: logs, wait, rm', () => {
    const v = JSON.parse(check('--json', '--policy', policy, '--', 'run', '--rm', IMAGE).stdout);
    expect(v.steps.map((s: string[]) => s.slice(0, 2).join(' '))).toEqual([
      'create --publish-all',
      'start --',
      'logs --follow',
      'wait --',
      'rm --force',
    ]);
    expect(v.steps[0]).not.toContain('--rm'); // the broker removes it after wait
    expect(v.caveats.join(' ')).toMatch(
      /not checked here: whether a local image was built from a Dockerfile still approved/,
    );
    const text = check('--policy', policy, '--', 'run', '--rm', IMAGE).stdout;
    expect(text).toMatch(/what runs .*\n {2}1\. \S+docker create /);
  });

  test('refused: exit 77, the rule id, message and fix', () => {
    const r = check('--json', '--policy', policy, '--', 'run', '-dPv/:/host', IMAGE);
    expect(r.code).toBe(77);
    const v = JSON.parse(r.stdout);
    expect(v.allowed).toBe(false);
    expect(v.violations).toEqual([
      expect.objectContaining({ rule: 'host-mount', message: expect.stringContaining('--volume') }),
    ]);
    expect(v.violations[0].fix).toBeTruthy();
  });

  test('refused on a terminal reads like a compiler error', () => {
    const r = check('--policy', policy, '--', 'run', '--privileged', IMAGE);
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/\[privileged\] --privileged/);
    expect(r.stdout).toMatch(/fix: /);
  });

  test('usage error: exit 2 with docker-like wording, no stack trace', () => {
    const r = check('--policy', policy, '--', 'run', '--no-such-flag', IMAGE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag: --no-such-flag');
    expect(r.stderr).toContain("See 'cida-docker run --help'.");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('bad policy: exit 78 naming the key', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"trustedRegistry": []}');
    const r = check('--policy', bad, '--', 'ps');
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('unknown policy key "trustedRegistry"');
  });

  test('missing policy file means the secure default: no image is trusted', () => {
    const r = check('--json', '--policy', path.join(dir, 'absent.json'), '--', 'run', IMAGE);
    expect(r.code).toBe(77);
    expect(JSON.parse(r.stdout).violations.map((v: { rule: string }) => v.rule)).toContain('trusted-image');
  });

  test('--policy without a value is a usage error', () => {
    expect(check('--policy').code).toBe(2);
  });

  test('help comes from oclif', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'bin/run.js'), 'check', '--help'], {
      encoding: 'utf8',
    });
    expect(out).toContain('--json');
  });
});
