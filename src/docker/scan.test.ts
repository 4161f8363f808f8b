// scanDockerArgv is the parser's own reading (parseDockerArgv is built on the same scan): for
// every argv that parses, the scan must name the same flags, values and positionals.
import { describe, expect, it } from 'vitest';
import { generateArgv, rng } from '../../test/differential/generate.js';
import { type FlagValues, UsageError } from './model.js';
import { isBoolText, parseDockerArgv, scanDockerArgv } from './parse.js';

function valuesOf(argv: readonly string[]): {
  globals: FlagValues;
  flags: FlagValues;
  args: string[];
  errors: string[];
} {
  const scan = scanDockerArgv(argv);
  const globals: FlagValues = {};
  const flags: FlagValues = {};
  const firstCommandToken = scan.words[0] ?? Infinity;
  for (const o of scan.occurrences) {
    if (!o.flag) continue;
    const into = o.token < firstCommandToken ? globals : flags;
    const name = o.flag.aliasOf ?? o.flag.long;
    const v =
      o.flag.type === 'bool' && isBoolText(o.raw)
        ? String(['1', 't', 'T', 'TRUE', 'true', 'True'].includes(o.raw))
        : o.raw;
    if (o.flag.repeatable) (into[name] ??= []).push(v);
    else {
      delete into[name];
      into[name] = [v];
    }
  }
  return {
    globals,
    flags,
    args: scan.args.map((i) => argv[i]),
    errors: scan.occurrences.flatMap((o) => (o.error ? [o.error] : [])),
  };
}

describe('scanDockerArgv reads as parseDockerArgv does', () => {
  it('on hand-picked spellings', () => {
    const argv = [
      '-D',
      'run',
      '-itdp',
      '8080:80',
      '--env=A=b',
      '-eC=d',
      '-e=E=f',
      '--net',
      'none',
      '--',
      'img',
      '-e',
      'X=y',
    ];
    const p = parseDockerArgv(argv);
    const s = valuesOf(argv);
    expect(s).toEqual({ globals: p.globals, flags: p.flags, args: p.args, errors: [] });
    const scan = scanDockerArgv(argv);
    const env = scan.occurrences.filter((o) => o.flag?.long === 'env').map((o) => o.value);
    expect(env).toEqual([
      { token: 4, start: 6 },
      { token: 5, start: 2 },
      { token: 6, start: 3 },
    ]);
  });
  it('goes on past errors, marking them', () => {
    const scan = scanDockerArgv(['login', '-phunter2', '--bogus', 'reg', '-Zx']);
    expect(scan.occurrences.map((o) => [o.flag?.long, o.error ?? null, o.value])).toEqual([
      ['password', null, { token: 1, start: 2 }],
      [undefined, 'unknown flag: --bogus', null],
      [undefined, "unknown shorthand flag: 'Z' in -Zx", { token: 4, start: 2 }],
    ]);
    expect(scan.args).toEqual([3]);
  });
  it('on 3 000 generated argvs (the differential generator)', () => {
    const r = rng(4242);
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const { argv } = generateArgv(r);
      let p;
      try {
        p = parseDockerArgv(argv);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        continue;
      }
      parsed++;
      const s = valuesOf(argv);
      expect(s.errors, argv.join(' ')).toEqual([]);
      expect(s.globals, argv.join(' ')).toEqual(p.globals);
      if (p.command !== null)
        expect({ flags: s.flags, args: s.args }, argv.join(' ')).toEqual({ flags: p.flags, args: p.args });
    }
    expect(parsed).toBeGreaterThan(1000);
  });
});
