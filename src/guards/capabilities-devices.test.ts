import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'capabilities-devices';
const runWith = (flag: string, value: string): [string[]][] =>
  spellings('run', flag, value).map((t) => [['run', ...t, IMAGE]]);

describe('capabilities-devices: refused', () => {
  const refused: [string, string][] = [
    ['cap-add', 'ALL'],
    ['cap-add', 'all'],
    ['cap-add', 'cap_sys_admin'],
    ['cap-add', 'SYS_ADMIN'],
    ['cap-add', 'NET_ADMIN'],
    ['cap-add', 'SYS_PTRACE'],
    ['cap-add', 'NET_BIND_SERVICE'],
    ['cap-add', 'CHOWN'],
    ['device', '/dev/fuse'],
    ['device', '/dev/kvm:/dev/kvm:rwm'],
    ['device', '/dev/sda:/dev/xvda:r'],
    ['device-cgroup-rule', 'a *:* rwm'],
    ['device-cgroup-rule', 'b 8:* rmw'],
    ['device-cgroup-rule', 'c 1:3 mr'],
    ['device-read-bps', '/dev/sda:1mb'],
    ['device-write-bps', '/dev/sda:1mb'],
    ['device-read-iops', '/dev/sda:1000'],
    ['device-write-iops', '/dev/sda:1000'],
    ['blkio-weight-device', '/dev/sda:200'],
    ['gpus', 'all'],
    ['gpus', 'device=0'],
    ['gpus', '"device=0,1"'],
    ['gpus', '2'],
  ];
  it.each(refused.flatMap(([f, v]) => runWith(f, v)))('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    [['run', '--cap-drop', 'ALL', '--cap-add', 'SYS_MODULE', IMAGE]],
    [['run', '--cap-add', 'NET_RAW', '--cap-drop', 'NET_RAW', IMAGE]],
    [['run', '--cap-add=CHOWN', '--cap-add=FOWNER', IMAGE]],
    [['run', '-itd', '--device', '/dev/fuse', IMAGE]],
    [['container', 'run', '--gpus', 'all', IMAGE]],
  ])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('says which flag and why', () => {
    const v = decide(['run', '--cap-add', 'NET_BIND_SERVICE', IMAGE], TEST_POLICY).violations.find(
      (x) => x.rule === ID,
    );
    expect(v?.message).toMatch(/^--cap-add is not allowed: .*capabilities/i);
    expect(v?.fix).toContain('--cap-drop is fine');
  });
});

describe('capabilities-devices: allowed', () => {
  it.each([
    ...runWith('cap-drop', 'ALL'),
    ...runWith('cap-drop', 'NET_RAW'),
    [['run', '--cap-drop', 'ALL', '--cap-drop', 'cap_net_raw', IMAGE]],
    [['run', '--blkio-weight', '300', IMAGE]],
    [['run', IMAGE, '--cap-add', 'ALL', '--device', '/dev/kvm']],
    [['run', '-e', 'NVIDIA_VISIBLE_DEVICES=all', IMAGE]],
  ])('%j', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});
