// Go/docker value parsing, as the rules rely on it (numbers compared after parsing like docker).
import { describe, expect, it } from 'vitest';
import {
  goQuote,
  parseBytes,
  parseDuration,
  parseGoInt,
  parseGoUint,
  parseMemSwapBytes,
  parseMount,
  parseNanoCPUs,
  parseNetwork,
  parsePortSpec,
  parseUlimit,
  readCsvRecord,
  ValueError,
} from './values.js';

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ValueError) return e.message;
    throw e;
  }
  throw new Error('expected a ValueError');
};

describe('parseGoInt (strconv.ParseInt, base 0)', () => {
  it.each([
    ['16', 16n],
    ['0x10', 16n],
    ['0X10', 16n],
    ['0o20', 16n],
    ['020', 16n],
    ['0b10000', 16n],
    ['1_6', 16n],
    ['+16', 16n],
    ['-0x10', -16n],
    ['0', 0n],
    ['00', 0n],
    ['0_0', 0n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ])('%s = %s', (s, v) => expect(parseGoInt(s)).toBe(v));
  it.each([
    ['x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['08', 'strconv.ParseInt: parsing "08": invalid syntax'],
    ['0x', 'strconv.ParseInt: parsing "0x": invalid syntax'],
    ['1__0', 'strconv.ParseInt: parsing "1__0": invalid syntax'],
    ['_1', 'strconv.ParseInt: parsing "_1": invalid syntax'],
    ['1_', 'strconv.ParseInt: parsing "1_": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ])('%j: %s', (s, m) => expect(err(() => parseGoInt(s))).toBe(m));
  it('uint16 ranges', () => {
    expect(parseGoUint('65535', 0, 16)).toBe(65535n);
    expect(err(() => parseGoUint('65536', 0, 16))).toBe('strconv.ParseUint: parsing "65536": value out of range');
    expect(err(() => parseGoUint('-1', 0, 16))).toBe('strconv.ParseUint: parsing "-1": invalid syntax');
  });
});

describe('parseDuration (time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['1s', 1_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['-1s', -1_000_000_000n],
    ['2µs', 2000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
  ])('%s', (s, v) => expect(parseDuration(s)).toBe(v));
  it.each([
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['x', 'time: invalid duration "x"'],
    ['', 'time: invalid duration ""'],
  ])('%j: %s', (s, m) => expect(err(() => parseDuration(s))).toBe(m));
});

describe('parseBytes (go-units RAMInBytes) and MemSwapBytes', () => {
  it.each([
    ['512m', 512n * 1024n ** 2n],
    ['1g', 1024n ** 3n],
    ['1.5GiB', 1610612736n],
    ['10 kb', 10240n],
    ['1e3', 1000n],
    ['100', 100n],
    ['4b', 4n],
    ['0', 0n],
  ])('%s', (s, v) => expect(parseBytes(s)).toBe(v));
  it('too large becomes math.MinInt64, as docker does on amd64', () => {
    expect(parseBytes('1e30')).toBe(-(2n ** 63n));
  });
  it.each([
    ['-1', "invalid size: '-1'"],
    ['1x', "invalid suffix: 'x'"],
    ['kb', "invalid size: 'kb'"],
    ['1kbb', "invalid suffix: 'kbb'"],
    ['', "invalid size: ''"],
  ])('%j: %s', (s, m) => expect(err(() => parseBytes(s))).toBe(m));
  it('memory-swap -1 is unlimited', () => {
    expect(parseMemSwapBytes('-1')).toBe(-1n);
    expect(() => parseMemSwapBytes('-2')).toThrow(ValueError);
  });
});

describe('parseNanoCPUs (opts.NanoCPUs)', () => {
  it.each([
    ['1.5', 1_500_000_000n],
    ['1/2', 500_000_000n],
    ['2', 2_000_000_000n],
    ['1e-1', 100_000_000n],
    ['0x1', 1_000_000_000n],
  ])('%s', (s, v) => expect(parseNanoCPUs(s)).toBe(v));
  it('errors', () => {
    expect(err(() => parseNanoCPUs('x'))).toBe('failed to parse x as a rational number');
    expect(err(() => parseNanoCPUs('0.0000000001'))).toBe('value is too precise');
  });
});

describe('parseUlimit', () => {
  it('name=soft[:hard], -1 unlimited', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024n, hard: 2048n });
    expect(parseUlimit('nproc=-1')).toEqual({ name: 'nproc', soft: -1n, hard: -1n });
    expect(err(() => parseUlimit('foo=1'))).toBe('invalid ulimit type: foo');
    expect(err(() => parseUlimit('nofile=0x10'))).toBe('strconv.ParseInt: parsing "0x10": invalid syntax');
  });
});

describe('CSV, --mount, --network, -p', () => {
  it('reads one CSV record like encoding/csv', () => {
    expect(readCsvRecord('"type=bind","src=/",target=/h')).toEqual(['type=bind', 'src=/', 'target=/h']);
    expect(readCsvRecord('a,"b,""c"""')).toEqual(['a', 'b,"c"']);
    expect(err(() => readCsvRecord('a"b'))).toBe('parse error on line 1, column 2: bare " in non-quoted-field');
    expect(err(() => readCsvRecord(''))).toBe('EOF');
  });
  // Checked against docker 28.2.2 (`docker create --mount VALUE`): only the first record counts.
  it('reads only the first record, as encoding/csv does', () => {
    expect(readCsvRecord('a\nb')).toEqual(['a']);
    expect(readCsvRecord('\n\na,b')).toEqual(['a', 'b']);
    expect(readCsvRecord('"a\nb",c\nd')).toEqual(['a\nb', 'c']);
    expect(readCsvRecord('"x\r\ny"')).toEqual(['x\ny']);
    expect(readCsvRecord('a\r')).toEqual(['a']);
    expect(readCsvRecord('a\rb')).toEqual(['a\rb']);
    expect(err(() => readCsvRecord('\r\n'))).toBe('EOF');
    expect(err(() => readCsvRecord('é"'))).toBe('parse error on line 1, column 3: bare " in non-quoted-field');
    expect(err(() => readCsvRecord('\n\n"x'))).toBe(
      'parse error on line 3, column 3: extraneous or missing " in quoted-field',
    );
    expect(err(() => readCsvRecord('"ab\n"c'))).toBe(
      'record on line 1; parse error on line 2, column 1: extraneous or missing " in quoted-field',
    );
  });
  it('mount keys are case-insensitive and the last one wins', () => {
    expect(parseMount('Type=Bind,Source=/,Target=/h')).toMatchObject({ type: 'bind', source: '/', target: '/h' });
    expect(parseMount('type=tmpfs,target=/a,type=bind,source=/')).toMatchObject({ type: 'bind', source: '/' });
  });
  it('network long syntax lower-cases keys and values', () => {
    expect(parseNetwork('NAME=HOST').target).toBe('host');
    expect(parseNetwork('host').target).toBe('host');
  });
  it('publish specs', () => {
    expect(parsePortSpec('127.0.0.1:50000-50001:80-81/udp')).toMatchObject({
      ip: '127.0.0.1',
      hostRange: [50000n, 50001n],
      proto: 'udp',
    });
    expect(parsePortSpec('published=8080,target=80')).toMatchObject({
      hostRange: [8080n, 8080n],
      containerRange: [80n, 80n],
    });
    expect(err(() => parsePortSpec('80/ftp'))).toBe('invalid proto: ftp');
  });
  it('goQuote is strconv.Quote', () => {
    expect(goQuote('a"b\\\n\u0001é\u00a0')).toBe('"a\\"b\\\\\\n\\x01é\\u00a0"');
  });
});
