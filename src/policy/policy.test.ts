import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPolicy } from './load.js';
import { DEFAULT_POLICY, PolicyError, parsePolicy } from './policy.js';

describe('parsePolicy', () => {
  test('fills defaults for absent keys', () => {
    const p = parsePolicy('{"trustedRegistries":["r.example"]}', 'p.json');
    expect(p.trustedRegistries).toEqual(['r.example']);
    expect(p.publishedPorts).toEqual({ min: 49153, max: 65535 });
    expect(p.run.capDrop).toEqual(['ALL']);
  });

  test('merges nested objects key by key', () => {
    const p = parsePolicy('{"run":{"pidsLimit":100}}', 'p.json');
    expect(p.run.pidsLimit).toBe(100);
    expect(p.run.securityOpt).toEqual(['no-new-privileges']);
  });

  test.each([
    ['{"trustedRegistry":["x"]}', /unknown policy key "trustedRegistry"/],
    ['{"run":{"privileged":true}}', /unknown policy key "run.privileged"/],
    ['{"trustedRegistries":"x"}', /"trustedRegistries" must be an array of strings, got string/],
    ['{"publishedPorts":{"min":"1"}}', /"publishedPorts.min" must be a number/],
    ['{"publishedPorts":{"min":60000,"max":50000}}', /publishedPorts/],
    ['{"publishedPorts":{"min":0.5}}', /whole number/],
    ['{"lint":{"severities":{"x":"loud"}}}', /"lint.severities.x" must be one of/],
    ['[]', /must be an object, got array/],
    ['{', /not valid JSON/],
  ])('%s is refused naming the key', (text, message) => {
    expect(() => parsePolicy(text, 'p.json')).toThrow(PolicyError);
    expect(() => parsePolicy(text, 'p.json')).toThrow(message);
  });

  test('the default trusts no registry', () => {
    expect(DEFAULT_POLICY.trustedRegistries).toEqual([]);
  });
});

describe('loadPolicy', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-policy-'));

  test('a missing file is the secure default', () => {
    expect(loadPolicy(path.join(dir, 'absent.json'))).toBe(DEFAULT_POLICY);
  });

  test('reads a file', () => {
    const f = path.join(dir, 'ok.json');
    fs.writeFileSync(f, '{"trustedRegistries":["r.example"]}');
    expect(loadPolicy(f).trustedRegistries).toEqual(['r.example']);
  });

  test('refuses a symbolic link', () => {
    const f = path.join(dir, 'ok2.json');
    fs.writeFileSync(f, '{}');
    fs.symlinkSync(f, path.join(dir, 'link.json'));
    expect(() => loadPolicy(path.join(dir, 'link.json'))).toThrow(/symbolic link/);
  });

  test('with requireRootOwned, refuses a group- or world-writable file', () => {
    const f = path.join(dir, 'writable.json');
    fs.writeFileSync(f, '{}');
    fs.chmodSync(f, 0o666);
    const owner = fs.statSync(f).uid;
    expect(() => loadPolicy(f, { requireRootOwned: true })).toThrow(owner === 0 ? /writable by group or others/ : /owned by root/);
    fs.chmodSync(f, 0o644);
    if (owner === 0) expect(loadPolicy(f, { requireRootOwned: true })).toBeTruthy();
    else expect(() => loadPolicy(f, { requireRootOwned: true })).toThrow(/owned by root/);
  });
});
