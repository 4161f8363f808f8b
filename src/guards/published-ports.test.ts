import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'published-ports';
const refused = (argv: string[]): boolean => {
  const v = verdict(argv);
  return v === 'usage' || v.includes(ID);
};

function publishSpellings(v: string): string[][] {
  return [['-p', v], [`-p${v}`], [`-p=${v}`], ['--publish', v], [`--publish=${v}`], ['-dp', v], [`-dp${v}`], ['-itdp', v]];
}

describe('published-ports: host ports outside the range', () => {
  it.each([
    '80:80', '8080:8080', '127.0.0.1:80:80', '0.0.0.0:80:80', '[::1]:80:80', '::1:80:80', '[::]:80:80', '80:80/udp', '80:80/sctp',
    '80:80/UDP', '1000-2000:1000-2000', '49150-49160:8000-8010', '0.0.0.0:8080-8090:80-90', '0:80', '1-65535:80',
    '49152:80', '080:80', 'published=80,target=80', 'target=80,published=8080,protocol=udp', 'published=80,target=80,mode=host',
    'published=49153,target=80,published=80', '80-90-100:80',
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
    '49153:8080', '65535:80', '127.0.0.1:49200:8080', '[::1]:49200:8080', '50000:53/udp', '50000:53/sctp', '8080', '8080/udp', ':8080',
    '127.0.0.1::8080', '[::1]::80', '49153-49160:80', '49153-49163:80-90', '0.0.0.0:50000-50010:80-90', 'target=80', 'published=50000,target=80',
    'target=80,protocol=udp', '80-90', '049153:80', '49153-65535:80-80', '65535-65535:80',
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
    '', ':', '80:', 'x:80', '80:x', '80:80/tcpx', '80:80/', '65536:80', '80:65536', '-1:80', '+80:80', '8_0:80', '1.2.3:80:80', '[::1:80:80',
    '[::1]x:80:80', 'fe80::1%eth0:80:80', '80-70:80', '1000-2000:80-85', 'published=80', 'published=,target=', '=80', 'target', 'a=b,c',
    'rivileged', '49153-49160:80,published=1',
  ])('-p %j', (v) => {
    expect(refused(['run', '-p', v, IMAGE])).toBe(true);
  });
});

