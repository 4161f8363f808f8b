import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { argvPortCount, exposedRange, portCount, portCountProblem } from './published-ports.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'published-ports';
const refused = (argv: string[]): boolean => {
  const v = verdict(argv);
  return v === 'usage' || v.includes(ID);
};

function publishSpellings(v: string): string[][] {
  return [
    ['-p', v],
    [`-p${v}`],
    [`-p=${v}`],
    ['--publish', v],
    [`--publish=${v}`],
    ['-dp', v],
    [`-dp${v}`],
    ['-itdp', v],
  ];
}

describe('published-ports: host ports outside the range', () => {
  it.each([
    '80:80',
    '8080:8080',
    '127.0.0.1:80:80',
    '0.0.0.0:80:80',
    '[::1]:80:80',
    '::1:80:80',
    '[::]:80:80',
    '80:80/udp',
    '80:80/sctp',
    '80:80/UDP',
    '1000-2000:1000-2000',
    '49150-49160:8000-8010',
    '0.0.0.0:8080-8090:80-90',
    '0:80',
    '1-65535:80',
    '49152:80',
    '080:80',
    'published=80,target=80',
    'target=80,published=8080,protocol=udp',
    'published=80,target=80,mode=host',
    'published=49153,target=80,published=80',
    '80-90-100:80',
  ])('-p %s refused in every spelling', (v) => {
    for (const flags of publishSpellings(v)) expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
  });
  it('every -p is checked', () => {
    expect(verdict(['run', '-p', '49200:80', '-p', '80:80', IMAGE])).toEqual([ID]);
    expect(decide(['run', '-p', '22:22', '-p', '443:443', IMAGE], TEST_POLICY).violations).toHaveLength(2);
  });
  it('says which port and the range', () => {
    const d = decide(['run', '-p', '127.0.0.1:80:8080', IMAGE], TEST_POLICY);
    expect(d.violations[0]?.message).toBe('-p 127.0.0.1:80:8080: host port 80 outside the allowed range 49153-65535');
    expect(d.violations[0]?.fix).toMatch(/-p 49153:8080|-p 8080/);
  });
  it('follows the policy range', () => {
    const policy = { ...TEST_POLICY, publishedPorts: { min: 8000, max: 9000 } };
    expect(verdict(['run', '-p', '8080:80', IMAGE], policy)).toEqual([]);
    expect(verdict(['run', '-p', '49200:80', IMAGE], policy)).toEqual([ID]);
    expect(verdict(['run', '-p', '7999-8001:80', IMAGE], policy)).toEqual([ID]);
  });
});

describe('published-ports: allowed', () => {
  it.each([
    '49153:8080',
    '65535:80',
    '127.0.0.1:49200:8080',
    '[::1]:49200:8080',
    '50000:53/udp',
    '50000:53/sctp',
    '8080',
    '8080/udp',
    ':8080',
    '127.0.0.1::8080',
    '[::1]::80',
    '49153-49160:80',
    '49153-49163:80-90',
    '0.0.0.0:50000-50010:80-90',
    'target=80',
    'published=50000,target=80',
    'target=80,protocol=udp',
    '80-90',
    '049153:80',
    '49153-65535:80-80',
    '65535-65535:80',
  ])('-p %s', (v) => {
    for (const flags of publishSpellings(v)) expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([]);
  });
  it('-P and --expose are fine', () => {
    expect(verdict(['run', '-P', '--expose', '80', IMAGE])).toEqual([]);
  });
  it('after the image it is the container command', () => {
    expect(verdict(['run', IMAGE, '-p', '80:80'])).toEqual([]);
  });
});

describe('published-ports: specs docker rejects are refused', () => {
  it.each([
    '',
    ':',
    '80:',
    'x:80',
    '80:x',
    '80:80/tcpx',
    '80:80/',
    '65536:80',
    '80:65536',
    '-1:80',
    '+80:80',
    '8_0:80',
    '1.2.3:80:80',
    '[::1:80:80',
    '[::1]x:80:80',
    'fe80::1%eth0:80:80',
    '80-70:80',
    '1000-2000:80-85',
    'published=80',
    'published=,target=',
    '=80',
    'target',
    'a=b,c',
    'rivileged',
    '49153-49160:80,published=1',
  ])('-p %j', (v) => {
    expect(refused(['run', '-p', v, IMAGE])).toBe(true);
  });
});

describe('published-ports: at most run.maxPortsPerContainer host ports', () => {
  const msg = (argv: string[], policy = TEST_POLICY) =>
    decide(argv, policy).violations.find((v) => v.rule === ID)?.message;

  it("the issue's reproduction: --expose 20000-20999 (with the forced -P, 1 000 host ports) is refused", () => {
    expect(msg(['run', '-d', '--expose', '20000-20999', IMAGE])).toBe(
      "--expose and -p/--publish would take 1000 host ports, above this host's ceiling of 16 per container (policy run.maxPortsPerContainer)",
    );
  });
  it.each([
    [['--expose', '8000-8016']],
    [['--expose', '8000-8008', '--expose', '9000-9007/udp']],
    [['-p', '8000-8016']],
    [['-p', '49200-49216:8000-8016']],
    [['-p', '80', '-p', '80', '--expose', '1000-1014']],
    [['--expose', '80/TCP', '--expose', '80/tcp', '--expose', '1-15']],
    [['-p', 'target=80', ...Array.from({ length: 16 }, (_, i) => ['--expose', String(9000 + i)]).flat()]],
  ])('%j: 17 or more refused', (flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([ID]);
  });
  it.each([
    [['--expose', '8000-8015']],
    [['--expose', '8000-8015', '--expose', '8000-8015', '--expose', '8005']],
    [['-p', '8000-8015', '--expose', '8000-8015']],
    [['-p', '49200-49300:80']],
    [['-p', '8000-8007', '-p', '8000-8007/udp']],
    [['--expose', '80-90-100']],
    [['-P', '--expose', '80']],
  ])('%j: 16 or fewer allowed', (flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([]);
  });
  it('counts ranges without enumerating them: thousands of full ranges decide quickly', () => {
    const flags = Array.from({ length: 5000 }, () => ['--expose', '0-65535']).flat();
    const started = Date.now();
    expect(msg(['run', ...flags, IMAGE])).toMatch(/would take 65536 host ports/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
  it('follows the policy', () => {
    const policy = { ...TEST_POLICY, run: { ...TEST_POLICY.run, maxPortsPerContainer: 2 } };
    expect(verdict(['run', '-p', '80', '-p', '81', IMAGE], policy)).toEqual([]);
    expect(msg(['run', '-p', '80', '-p', '81', '--expose', '82', IMAGE], policy)).toMatch(
      /3 host ports, above this host's ceiling of 2 per container/,
    );
  });
});

describe('argvPortCount, exposedRange', () => {
  it.each([
    [{ expose: ['80'] }, 1],
    [{ expose: ['80', '80/tcp', '80/'] }, 1],
    [{ expose: ['80', '80/udp'] }, 2],
    [{ expose: ['0-65535'] }, 65536],
    [{ expose: ['80-90-100'] }, 11],
    [{ publish: ['80', '80'] }, 2],
    [{ publish: ['49200-49210:80'] }, 1],
    [{ publish: ['8000-8009'] }, 10],
    [{ publish: ['80'], expose: ['80'] }, 1],
    [{ publish: ['80'], expose: ['80/TCP'] }, 2],
    [{ publish: ['80/udp'], expose: ['80'] }, 2],
    [{ publish: ['x'], expose: ['a:b'] }, 0],
    [{}, 0],
  ])('%j → %i', (flags, n) => {
    expect(argvPortCount(flags)).toBe(n);
  });
  it('reads --expose the way docker does', () => {
    expect(exposedRange('8000-8099/udp')).toEqual({ proto: 'udp', range: [8000, 8099] });
    expect(exposedRange('080')).toEqual({ proto: 'tcp', range: [80, 80] });
    for (const bad of ['', '/tcp', 'a', '5-1', '70000', '1:2', '+1', '-1']) expect(exposedRange(bad), bad).toBeNull();
  });
});

describe('portCount: a created container, from docker inspect (for the broker after create)', () => {
  it.each([
    [{}, undefined, 0],
    [{ '80/tcp': {} }, undefined, 1],
    [{ '80/tcp': {}, '443/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '' }] }, 2],
    [{ '80/tcp': {} }, { '80/tcp': [{}, {}, {}] }, 3],
    [{ '80/tcp': {} }, { '81/tcp': [{}] }, 2],
    [{ '80/tcp': {} }, { '80/tcp': null }, 1],
    [null, null, 0],
    ['80/tcp', [1, 2], 0],
    [Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`${20000 + i}/tcp`, {}])), {}, 1000],
  ])('%j %j → %i', (exposed, bindings, n) => {
    expect(portCount(exposed, bindings)).toBe(n);
  });
  it('a hostile __proto__ key is just a key', () => {
    expect(portCount(JSON.parse('{"__proto__":{},"80/tcp":{}}'), JSON.parse('{"__proto__":[1,2,3,4,5]}'))).toBe(6);
  });
  it('portCountProblem names the ceiling and the key', () => {
    expect(portCountProblem(16, TEST_POLICY, 'x')).toBeNull();
    expect(portCountProblem(1000, TEST_POLICY, "the image's EXPOSE")).toBe(
      "the image's EXPOSE would take 1000 host ports, above this host's ceiling of 16 per container (policy run.maxPortsPerContainer)",
    );
  });
});
