import { describe, expect, it } from 'vitest';
import { engineRemaps, mergeDaemonJson, nextSubidRange, subidRanges, usernsCheck } from './userns.js';

describe('daemon.json merge', () => {
  it('adds "userns-remap": "default" to a missing or empty file', () => {
    expect(JSON.parse(mergeDaemonJson(undefined).text)).toEqual({ 'userns-remap': 'default' });
    expect(mergeDaemonJson('  \n').changed).toBe(true);
  });
  it('keeps every other setting', () => {
    const m = mergeDaemonJson('{"insecure-registries": ["r:5000"], "log-driver": "local"}');
    expect(m.changed).toBe(true);
    expect(JSON.parse(m.text)).toEqual({
      'insecure-registries': ['r:5000'],
      'log-driver': 'local',
      'userns-remap': 'default',
    });
    expect(m.text.endsWith('\n')).toBe(true);
  });
  it("leaves a remap already chosen (default or the administrator's own user) as it is", () => {
    const text = '{"userns-remap": "builder:builder"}';
    expect(mergeDaemonJson(text)).toEqual({ text, changed: false, remap: 'builder:builder' });
    expect(mergeDaemonJson('{"userns-remap":"default"}').changed).toBe(false);
  });
  it('refuses a file it cannot read as one JSON object, saying what to do', () => {
    expect(() => mergeDaemonJson('{"a": 1,}')).toThrow(/not valid JSON.*fix it by hand/);
    expect(() => mergeDaemonJson('[1]')).toThrow(/not a JSON object/);
    expect(() => mergeDaemonJson('{"userns-remap": true}')).toThrow(/not a string/);
  });
});

describe('subordinate ids', () => {
  const subuid = 'cida-dev1:100000:65536\ncida-dev2:165536:65536\n# comment\nbroken line\n';
  it("finds a name's ranges", () => {
    expect(subidRanges(subuid, 'cida-dev2')).toEqual([{ start: 165536, count: 65536 }]);
    expect(subidRanges(subuid, 'dockremap')).toEqual([]);
  });
  it('takes the next free 65536 ids after all of them, aligned', () => {
    expect(nextSubidRange(subuid)).toEqual({ start: 262144, count: 65536 });
    expect(nextSubidRange(undefined)).toEqual({ start: 131072, count: 65536 });
    expect(nextSubidRange('a:300000:10\n')).toEqual({ start: 327680, count: 65536 });
  });
});

describe("doctor's report", () => {
  const on = '["name=seccomp,profile=builtin","name=userns","name=cgroupns"]';
  const off = '["name=seccomp,profile=default"]';
  const cfg = '{"userns-remap": "default"}';
  it('reads name=userns from docker info', () => {
    expect(engineRemaps(on)).toBe(true);
    expect(engineRemaps(off)).toBe(false);
    expect(engineRemaps('null')).toBeUndefined();
    expect(engineRemaps('garbage')).toBeUndefined();
  });
  it('remapping on and configured: ok', () => {
    const c = usernsCheck({ asRoot: true, securityOptions: { json: on }, daemonJson: cfg });
    expect(c.status).toBe('ok');
    expect(c.detail).toMatch(/^yes/);
  });
  it('configured but the engine was not restarted: a warning that says to restart it', () => {
    const c = usernsCheck({ asRoot: true, securityOptions: { json: off }, daemonJson: cfg });
    expect(c.status).toBe('warn');
    expect(c.fix).toMatch(/restart the engine/);
  });
  it('running remapped without daemon.json asking: a warning', () => {
    expect(usernsCheck({ asRoot: true, securityOptions: { json: on }, daemonJson: '{}' }).status).toBe('warn');
  });
  it('off and not asked for: reported, with how to opt in', () => {
    const c = usernsCheck({ asRoot: true, securityOptions: { json: off }, daemonJson: '{"insecure-registries": []}' });
    expect(c.status).toBe('ok');
    expect(c.detail).toMatch(/^no: .*setup --userns-remap/);
  });
  it('as a developer, or when the engine does not answer', () => {
    expect(usernsCheck({ asRoot: false, daemonJson: cfg }).status).toBe('skip');
    expect(
      usernsCheck({ asRoot: true, securityOptions: { error: 'Cannot connect to the Docker daemon' } }).status,
    ).toBe('warn');
  });
});
