import { describe, expect, it } from 'vitest';
import { networkAllowed, readNetworkOpt } from './host-namespace.js';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'host-namespace';
const runWith = (flag: string, value: string): [string[]][] =>
  spellings('run', flag, value).map((t) => [['run', ...t, IMAGE]]);

describe('readNetworkOpt: the network docker reads from --network', () => {
  it.each([
    ['host', 'host'],
    ['Host', 'Host'],
    ['my-net', 'my-net'],
    ['container:bob', 'container:bob'],
    ['name=host', 'host'],
    ['NAME=HOST', 'host'],
    ['name=Host,alias=web', 'host'],
    ['alias=web,name=host', 'host'],
    ['name=bridge,name=host', 'host'],
    ['"name=host"', 'host'],
    // The long syntax needs \w=\w somewhere; then keys and values are trimmed.
    ['name= host ', 'name= host '],
    ['name=host ,alias=x', 'host'],
    ['alias=x, name = host ', 'host'],
    ['name=container:bob', 'container:bob'],
    ['name=mynet,driver-opt=a=b', 'mynet'],
  ])('%j → %j', (value, target) => {
    const r = readNetworkOpt(value);
    expect(r.ok && r.value.target).toBe(target);
  });

  it.each([['host,alias=x'], ['foo=bar'], ['alias=x'], ['name=x,"y'], ['=x,name=y']])(
    '%j is not a network docker accepts',
    (value) => {
      expect(readNetworkOpt(value).ok).toBe(false);
    },
  );

  it.each(['default', 'bridge', 'none', 'mynet', 'my-net.1', 'team_net', 'HostNet', 'host2'])(
    '%j may be joined',
    (n) => {
      expect(networkAllowed(n)).toBe(true);
    },
  );
  it.each([
    'host',
    'HOST',
    'Host',
    'hOsT',
    'container:bob',
    'container:',
    '',
    ' host',
    'host ',
    'h\u043est',
    '-host',
    'a:b',
    'a/b',
  ])('%j may not', (n) => {
    expect(networkAllowed(n)).toBe(false);
  });
});

describe('host-namespace: --network', () => {
  const values = [
    'host',
    'HOST',
    'Host',
    'container:bob-db',
    'container:0123456789ab',
    'CONTAINER:bob',
    'name=host',
    'NAME=HOST',
    'name=Host,alias=web',
    'alias=web,name=host',
    'name=bridge,name=host',
    '"name=host"',
    'name=host ,alias=x',
    'alias=x, name = HOST',
    'name= host ',
    'name=container:bob-db',
    'host,alias=x',
    'foo=bar',
    'h\u043est',
    'my net',
    'host\n',
  ];
  it.each(values.flatMap((v) => runWith('network', v)))('%j is refused', (argv) => {
    const v = verdict(argv);
    if (v !== 'usage') expect(v).toContain(ID);
  });

  it.each([
    [['run', '--network', 'bridge', '--network', 'host', IMAGE]],
    [['container', 'run', '--net=host', IMAGE]],
    [['run', '-itd', '--net', 'host', IMAGE]],
    [['build', '--network', 'host', '-t', IMAGE, '.']],
    [['build', '--network=HOST', '-t', IMAGE, '.']],
    [['build', '--network', 'container:bob', '-t', IMAGE, '.']],
    [['image', 'build', '--network=host', '.']],
  ])('%j is refused', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    [['run', '--net=mynet', '--net', 'container:bob', IMAGE]],
    [['run', '--network', 'name=host,alias=x', IMAGE]],
  ])('%j is refused (docker itself rejects it too)', (argv) => {
    const v = verdict(argv);
    if (v !== 'usage') expect(v).toContain(ID);
  });

  it('says which network and why', () => {
    const msg = (argv: string[]) => decide(argv, TEST_POLICY).violations.find((v) => v.rule === ID)?.message;
    expect(msg(['run', '--network', 'NAME=Host', IMAGE])).toContain(
      '--network "NAME=Host" (network "host") joins the host\'s network namespace',
    );
    expect(msg(['run', '--net=container:bob', IMAGE])).toContain(
      '--network "container:bob" joins another container\'s network namespace',
    );
  });

  it.each([
    ...runWith('network', 'none'),
    ...runWith('network', 'bridge'),
    ...runWith('network', 'default'),
    ...runWith('network', 'mynet'),
    ...runWith('network', 'my-net.1'),
    ...runWith('network', 'name=mynet,alias=web'),
    ...runWith('network', 'NAME=MyNet'),
    ...runWith('network', 'name=mynet,ip=172.20.0.5'),
    [['run', '--network', 'mynet', '--network-alias', 'web', IMAGE]],
    [['run', '--net-alias=web', '--net=mynet', IMAGE]],
    [['build', '--network', 'none', '-t', IMAGE, '.']],
    [['build', '--network=default', '-t', IMAGE, '.']],
    [['run', IMAGE, '--network', 'host']],
    [['run', IMAGE, '--pid=host', '--ipc=host']],
  ])('%j is allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});

describe('host-namespace: --pid, --ipc, --uts, --userns, --cgroupns, --link', () => {
  const refused: [string, string][] = [
    ['pid', 'host'],
    ['pid', 'container:bob-db'],
    ['pid', 'HOST'],
    ['pid', 'private'],
    ['pid', 'container:'],
    ['ipc', 'host'],
    ['ipc', 'container:bob-db'],
    ['ipc', 'HOST'],
    ['ipc', 'Private'],
    ['ipc', 'container:'],
    ['uts', 'host'],
    ['uts', 'HOST'],
    ['uts', 'private'],
    ['userns', 'host'],
    ['userns', 'HOST'],
    ['userns', 'private'],
    ['cgroupns', 'host'],
    ['cgroupns', 'HOST'],
    ['cgroupns', 'container:bob'],
    // Empty: the daemon's default mode, the host's cgroup namespace on cgroup v1 hosts (and it
    // would stop cida-docker from forcing private).
    ['cgroupns', ''],
    ['link', 'bob-db:db'],
    ['link', 'bob-db'],
  ];
  it.each(refused.flatMap(([f, v]) => runWith(f, v)))('%j is refused', (argv) => {
    const v = verdict(argv);
    if (v !== 'usage') expect(v).toContain(ID);
  });

  it.each([
    [['run', '--pid=host', '--ipc=host', '--uts=host', IMAGE]],
    [['run', '--pid', '', '--pid', 'host', IMAGE]],
    [['run', '--link', 'a:a', '--link', 'b:b', IMAGE]],
    [['run', '--network', 'mynet', '--link', 'bob-db:db', IMAGE]],
  ])('%j is refused', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('an explicit empty --cgroupns is refused (forced private is kept when the flag is left out)', () => {
    expect(verdict(['run', '--cgroupns=', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--cgroupns', 'private', '--cgroupns', '', IMAGE])).toEqual([ID]);
    const d = decide(['run', IMAGE], TEST_POLICY);
    expect(d.argv).toContain('--cgroupns=private');
    const m = decide(['run', '--cgroupns=', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(m?.message).toContain("the daemon's default (the host's on cgroup v1 hosts)");
  });

  it('says which namespace and why', () => {
    const v = decide(['run', '--pid', 'host', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(v?.message).toContain('--pid "host" asks for the host\'s PID namespace');
    const l = decide(['run', '--link', 'bob-db:db', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(l?.message).toMatch(/^--link is not allowed/);
  });

  const allowed: [string, string][] = [
    ['pid', ''],
    ['uts', ''],
    ['userns', ''],
    ['cgroupns', 'private'],
    ['ipc', ''],
    ['ipc', 'private'],
    ['ipc', 'none'],
    ['ipc', 'shareable'],
  ];
  it.each(allowed.flatMap(([f, v]) => runWith(f, v)))('%j is allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});

describe('host-namespace: a chosen MAC address', () => {
  // The bridge driver takes any MAC it is given, another container's too, and the bridge then
  // forwards that container's frames to the newcomer: no capability needed.
  it.each(runWith('mac-address', '02:42:ac:11:00:02'))('%j is refused', (argv) => {
    expect(verdict(argv)).toEqual([ID]);
  });
  it.each([
    'name=bridge,mac-address=02:42:ac:11:00:02',
    'name=mynet,MAC-ADDRESS=02:42:ac:11:00:02',
    'mac-address=02:42:ac:11:00:02,name=mynet',
    'name=mynet, mac-address = 02:42:ac:11:00:02',
  ])('--network %j is refused', (v) => {
    expect(verdict(['run', '--network', v, IMAGE])).toEqual([ID]);
  });
  it('says why, and still reports the network', () => {
    const d = decide(['run', '--network', 'name=host,mac-address=02:42:ac:11:00:02', IMAGE], TEST_POLICY);
    const msgs = d.violations.filter((x) => x.rule === ID).map((x) => x.message);
    expect(msgs).toHaveLength(2);
    expect(msgs[1]).toContain("it can be another container's on the shared bridge");
  });
  it('a network without a MAC is still fine', () => {
    expect(verdict(['run', '--network', 'name=mynet,alias=web', IMAGE])).toEqual([]);
    expect(verdict(['run', '--network', 'mynet', '--ip', '172.20.0.5', IMAGE])).toEqual([]);
  });
});
