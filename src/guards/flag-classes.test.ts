// The allowlist is complete, names real rules, and means what it says: every flag it marks
// `refuse` is refused by that rule in a real decision.
import { describe, expect, test } from 'vitest';
import { COMMANDS, GLOBAL_FLAGS } from '../docker/flag-table.js';
import { FLAG_CLASSES, GLOBAL_FLAG_CLASSES, SUPPORTED_COMMANDS } from './flag-classes.js';
import { RULES } from './index.js';
import { IMAGE, verdict } from './test-helpers.js';

const ruleIds = new Set(RULES.map((r) => r.id));
const classNames = (cls: unknown): string | undefined =>
  typeof cls === 'object' && cls !== null
    ? ((cls as { refuse?: string; check?: string }).refuse ?? (cls as { check?: string }).check)
    : undefined;

describe.each(SUPPORTED_COMMANDS)('%s', (command) => {
  const flags = COMMANDS[command].flags.filter((f) => !f.aliasOf);
  const classes = FLAG_CLASSES[command];

  test('every flag docker 28.2.2 has is classified, and nothing else', () => {
    expect(Object.keys(classes).sort()).toEqual(flags.map((f) => f.long).sort());
  });

  test('every class names an existing rule', () => {
    for (const cls of Object.values(classes)) if (cls !== 'allow') expect(ruleIds).toContain(classNames(cls));
  });
});

test('global flags are all classified', () => {
  expect(Object.keys(GLOBAL_FLAG_CLASSES).sort()).toEqual(GLOBAL_FLAGS.map((f) => f.long).sort());
});

// A value docker accepts for each refused flag, so the decision reaches the rules.
const SAMPLE: Record<string, string> = {
  volume: '/:/host',
  'volumes-from': 'other',
  'volume-driver': 'local',
  mount: 'type=bind,src=/,dst=/h',
  'cap-add': 'SYS_ADMIN',
  device: '/dev/sda',
  'device-cgroup-rule': 'c 1:3 mr',
  'device-read-bps': '/dev/sda:1mb',
  'device-write-bps': '/dev/sda:1mb',
  'device-read-iops': '/dev/sda:100',
  'device-write-iops': '/dev/sda:100',
  'blkio-weight-device': '/dev/sda:100',
  gpus: 'all',
  link: 'db:db',
  sysctl: 'net.ipv4.ip_forward=1',
  runtime: 'runc',
  isolation: 'default',
  annotation: 'a=b',
  'storage-opt': 'size=1G',
  'kernel-memory': '1g',
  'cpu-rt-period': '1000',
  'cpu-rt-runtime': '1000',
  'cgroup-parent': '/',
  attach: 'stdout',
  'env-file': '/etc/shadow',
  'label-file': '/etc/shadow',
  cidfile: '/etc/cid',
  iidfile: '/etc/iid',
  checkpoint: 'cp1',
  'checkpoint-dir': '/tmp',
  config: '/tmp',
  tlscacert: '/etc/ca.pem',
  tlscert: '/etc/cert.pem',
  tlskey: '/etc/key.pem',
  host: 'unix:///tmp/d.sock',
  context: 'default',
};

const valueFor = (takesValue: boolean, name: string) => (takesValue ? `=${SAMPLE[name] ?? '1'}` : '');

describe('a flag marked refuse is refused by its rule', () => {
  const cases: [string, string[], string][] = [];
  for (const command of SUPPORTED_COMMANDS) {
    const spec = COMMANDS[command];
    for (const f of spec.flags) {
      const cls = FLAG_CLASSES[command][f.aliasOf ?? f.long];
      if (typeof cls !== 'object' || !('refuse' in cls)) continue;
      const target =
        command === 'build' ? ['.'] : command === 'start' ? ['web'] : command === 'exec' ? ['web', 'sh'] : [IMAGE];
      cases.push([
        `${command} --${f.long}`,
        [command, `--${f.long}${valueFor(f.takesValue, f.long)}`, ...target],
        cls.refuse,
      ]);
    }
  }
  for (const f of GLOBAL_FLAGS) {
    const cls = GLOBAL_FLAG_CLASSES[f.long];
    if (typeof cls === 'object' && 'refuse' in cls)
      cases.push([`global --${f.long}`, [`--${f.long}${valueFor(f.takesValue, f.long)}`, 'ps'], cls.refuse]);
  }

  test.each(cases)('%s', (_name, argv, rule) => {
    // A usage error would be a refusal too, but it would not prove the rule: insist on the rule.
    expect(verdict(argv)).toEqual(expect.arrayContaining([rule]));
  });
});
