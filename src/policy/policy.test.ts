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

describe('ceilings (run.*)', () => {
  test('secure defaults: every limit has a value', () => {
    expect(DEFAULT_POLICY.run).toMatchObject({
      pidsLimit: 512,
      maxPidsLimit: 4096,
      memory: '1g',
      maxMemory: '4g',
      maxShmSize: '1g',
      maxTmpfsSize: '1g',
      logMaxSize: '20m',
      logMaxFile: 5,
      maxPortsPerContainer: 16,
      maxContainersPerUser: 20,
    });
  });

  test('the default policy survives the JSON round trip setup writes', () => {
    expect(parsePolicy(JSON.stringify(DEFAULT_POLICY), 'p.json')).toEqual(DEFAULT_POLICY);
  });

  test('an administrator sets them, the rest stay default', () => {
    const p = parsePolicy(
      '{"run":{"memory":"256m","maxMemory":"16g","maxPortsPerContainer":4,"maxContainersPerUser":5}}',
      'p.json',
    );
    expect(p.run).toMatchObject({
      memory: '256m',
      maxMemory: '16g',
      maxPortsPerContainer: 4,
      maxContainersPerUser: 5,
      maxPidsLimit: 4096,
    });
  });

  test.each([
    ['{"run":{"maxMemory":4}}', /"run.maxMemory" must be a size string such as "512m", got number/],
    ['{"run":{"maxMemory":"lots"}}', /"run.maxMemory": "lots" is not a positive size/],
    ['{"run":{"maxShmSize":"0"}}', /"run.maxShmSize": "0" is not a positive size/],
    ['{"run":{"maxTmpfsSize":"-1"}}', /"run.maxTmpfsSize"/],
    ['{"run":{"logMaxSize":"1e30"}}', /"run.logMaxSize"/],
    ['{"run":{"memory":null}}', /"run.memory" must be a size string/],
    ['{"run":{"memory":"8g"}}', /"run.memory" \("8g"\) must not be above run.maxMemory \("4g"\)/],
    ['{"run":{"memory":"1m"}}', /"run.memory" must be at least 6m/],
    ['{"run":{"pidsLimit":0}}', /"run.pidsLimit" must be from 1 to 4096/],
    ['{"run":{"pidsLimit":-1}}', /"run.pidsLimit"/],
    ['{"run":{"pidsLimit":8000}}', /"run.pidsLimit" must be from 1 to 4096/],
    ['{"run":{"maxPidsLimit":0}}', /"run.maxPidsLimit"/],
    ['{"run":{"logMaxFile":0}}', /"run.logMaxFile" must be from 1/],
    ['{"run":{"logMaxFile":"3"}}', /"run.logMaxFile" must be a number/],
    ['{"run":{"maxPortsPerContainer":-1}}', /"run.maxPortsPerContainer"/],
    ['{"run":{"maxContainersPerUser":0}}', /"run.maxContainersPerUser"/],
    ['{"run":{"maxContainersPerUser":1.5}}', /"run.maxContainersPerUser" must be a whole number/],
    ['{"run":{"maxMemmory":"4g"}}', /unknown policy key "run.maxMemmory"/],
  ])('%s is refused naming the key', (text, message) => {
    expect(() => parsePolicy(text, 'p.json')).toThrow(PolicyError);
    expect(() => parsePolicy(text, 'p.json')).toThrow(message);
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
    expect(() => loadPolicy(f, { requireRootOwned: true })).toThrow(
      owner === 0 ? /writable by group or others/ : /owned by root/,
    );
    fs.chmodSync(f, 0o644);
    if (owner === 0) expect(loadPolicy(f, { requireRootOwned: true })).toBeTruthy();
    else expect(() => loadPolicy(f, { requireRootOwned: true })).toThrow(/owned by root/);
  });
});
