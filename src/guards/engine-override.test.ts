import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'engine-override';
const HOST = 'tcp://10.0.0.9:2375';

describe('engine-override: refused', () => {
  const values: [string, string][] = [
    ['host', HOST],
    ['host', 'unix:///var/run/docker.sock'],
    ['host', 'unix:///home/alice/fake.sock'],
    ['context', 'default'],
    ['context', 'evil'],
    ['config', '/tmp/x'],
    ['config', '/home/alice/.docker-evil'],
    ['tlscacert', '/etc/ssl/ca.pem'],
    ['tlscert', '/etc/ssl/certs/host.pem'],
    ['tlskey', '/etc/ssl/private/host.key'],
    ['tls', 'true'],
    ['tls', 'false'],
    ['tlsverify', 'true'],
    ['tlsverify', 'false'],
    ['tlsverify', '0'],
  ];
  const cases = values.flatMap(([flag, value]) =>
    spellings(null, flag, value).flatMap(
      (tokens) => [[[...tokens, 'ps']], [[...tokens, 'run', IMAGE]], [[...tokens, 'version']]] as [string[]][],
    ),
  );
  it.each(cases)('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    [['-Hunix:///x', 'ps']],
    [['--host=unix:///x', 'ps']],
    [['-c', 'default', 'ps']],
    [['--context=default', 'ps']],
    [['-D', '-H', HOST, 'ps']],
    [['-DH', HOST, 'ps']],
    [['-DHunix:///x', 'ps']],
    [['-H', 'unix:///a', '-H', 'unix:///b', 'ps']],
    [['-c', 'default', '--', 'ps']],
    [
      [
        '--tlsverify',
        '--tlscert',
        '/etc/ssl/certs/host.pem',
        '--tlskey',
        '/etc/ssl/private/host.key',
        '-H',
        'tcp://evil.example.com:2376',
        'ps',
      ],
    ],
    [['-H', HOST]],
    [['--context', 'default', '--version']],
    [['--config', '/tmp/x', 'cp', 'a', 'b']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('names each global flag and why', () => {
    const d = decide(['--tlsverify', '-H', HOST, '-c', 'default', 'ps'], TEST_POLICY);
    const msgs = d.violations.filter((v) => v.rule === ID).map((v) => v.message);
    expect(msgs).toHaveLength(3);
    expect(msgs.join('\n')).toMatch(/--tlsverify/);
    expect(msgs.join('\n')).toMatch(/--host/);
    expect(msgs.join('\n')).toMatch(/--context/);
    expect(msgs[0]).toContain('another engine');
    expect(d.argv).toEqual([]);
  });
});

describe('engine-override: allowed and usage', () => {
  it.each([
    [['-D', 'ps']],
    [['--debug', 'ps']],
    [['-l', 'debug', 'ps']],
    [['--log-level=info', 'ps']],
    [['-v']],
    [['--version']],
    [['ps', '-a']],
    // -c after `run` is --cpu-shares, not --context.
    [['run', '-c', '512', IMAGE]],
    // After the image, -H belongs to the container's command.
    [['run', IMAGE, '-H', HOST]],
    [['exec', 'web', 'docker', '-H', HOST, 'ps']],
  ])('%j is not an engine override', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });

  it.each([
    [['ps', '-H', HOST]],
    [['ps', '--context', 'evil']],
    [['run', '-H', HOST, IMAGE]],
    [['run', '--config', '/tmp/x', IMAGE]],
    [['run', '--tls', IMAGE]],
    [['--tlsverify=maybe', 'ps']],
    [['--Host', HOST, 'ps']],
  ])('%j is a usage error: global flags exist only before the command', (argv) => {
    expect(verdict(argv)).toBe('usage');
  });
});
