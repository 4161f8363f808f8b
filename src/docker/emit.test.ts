// Properties of the parser and the canonical emitter, over argvs generated from the flag table.
// The seed is printed; replay with FC_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateArgv, rng } from '../../test/differential/generate.js';
import { emitDockerArgv } from './emit.js';
import { COMMANDS, GLOBAL_FLAGS } from './flag-table.js';
import { type FlagSpec, type ParsedCommand, UsageError } from './model.js';
import { parseDockerArgv } from './parse.js';
import { FC_SEED } from '../../test/fast-check-seed.js';

const SEED = FC_SEED;
const RUNS = Number(process.env.FC_RUNS ?? 2000);
console.log(`fast-check seed: ${SEED} (FC_SEED=${SEED} to replay)`);

function tryParse(argv: string[]): ParsedCommand | null {
  try {
    return parseDockerArgv(argv);
  } catch (e) {
    if (e instanceof UsageError) return null;
    throw e;
  }
}

const TRICKY = [
  '--privileged',
  '-d',
  '--',
  '-',
  '',
  '-v/:/h',
  '--net=host',
  'a=b',
  '=',
  '-test.v',
  'true',
  'false',
  '0x10',
  '1_0',
  '512m',
  'host',
  ' ',
  'ä',
  '"',
  ',',
];
const IMAGES = ['registry.example.internal/team/app:1.0', 'alpine', 'busybox:1.36'];
const UNSUPPORTED_WORDS = [
  ['volume', 'ls'],
  ['network', 'create'],
  ['compose'],
  ['container', 'frob'],
  ['system', 'prune'],
  ['buildx', 'build'],
];

const value = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '80:80',
    '1g',
    '1.5',
    '10',
    '1s',
    'nofile=1:2',
    'type=tmpfs,target=/t',
    'A=1',
    '1.2.3.4',
    'h:1.2.3.4',
  ),
);

/** One flag occurrence from `flags`, in any spelling pflag reads. */
function flagToken(flags: readonly FlagSpec[]): fc.Arbitrary<string[]> {
  if (flags.length === 0) return fc.constant([]);
  return fc.tuple(fc.constantFrom(...flags), value, fc.nat(5)).map(([f, v, how]) => {
    const short = f.short && !f.shorthandDeprecated ? f.short : null;
    if (f.type === 'bool') {
      if (how === 0) return [`--${f.long}=${v}`];
      if (how === 1 && short) return [`-${short}=${v}`];
      return short && how > 2 ? [`-${short}`] : [`--${f.long}`];
    }
    if (short && how === 0) return [`-${short}${v}`];
    if (short && how === 1) return [`-${short}=${v}`];
    if (short && how === 2) return [`-${short}`, v];
    return how % 2 === 0 ? [`--${f.long}=${v}`] : [`--${f.long}`, v];
  });
}

const tableArgv: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...Object.values(COMMANDS)) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    fc.nat(10),
    fc.array(flagToken(GLOBAL_FLAGS.filter((f) => f.long !== 'help')), { maxLength: 1 }),
    fc.nat(),
    fc.boolean(),
    fc.array(fc.oneof(fc.constantFrom(...IMAGES), fc.constantFrom(...TRICKY)), { maxLength: 3 }),
  )
  .chain(([spec, pick, globals, seed, dash, positionals]) => {
    const words = spec ? spec.aliases[pick % spec.aliases.length] : UNSUPPORTED_WORDS[pick % UNSUPPORTED_WORDS.length];
    const flags = spec ? spec.flags.filter((f) => f.long !== 'help') : GLOBAL_FLAGS;
    const bools = flags.filter((f) => f.type === 'bool' && f.short && !f.shorthandDeprecated);
    const group =
      bools.length > 1
        ? fc
            .array(fc.constantFrom(...bools), { minLength: 2, maxLength: 4 })
            .map((bs) => [`-${bs.map((b) => b.short).join('')}`])
        : fc.constant([] as string[]);
    return fc
      .array(fc.oneof({ weight: 5, arbitrary: flagToken(flags) }, { weight: 1, arbitrary: group }), { maxLength: 6 })
      .map((tokens) => {
        const pos = seed % 2 === 0 && positionals.length > 0 ? [...positionals] : positionals;
        return [...globals.flat(), ...words, ...tokens.flat(), ...(dash ? ['--'] : []), ...pos];
      });
  });

describe('parse ∘ emit', () => {
  it('round-trips argvs generated from the flag table (any spelling, tricky values)', () => {
    let parsed = 0;
    fc.assert(
      fc.property(tableArgv, (argv) => {
        const m = tryParse(argv);
        if (m === null) return;
        parsed++;
        expect(parseDockerArgv(emitDockerArgv(m))).toEqual(m);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(parsed).toBeGreaterThan(RUNS / 10);
  }, 120_000);

  it('round-trips the differential generator’s mostly-valid argvs', () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const m = tryParse(generateArgv(rng(seed)).argv);
        if (m === null) return;
        parsed++;
        expect(parseDockerArgv(emitDockerArgv(m))).toEqual(m);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(parsed).toBeGreaterThan(RUNS / 2);
  }, 120_000);

  it('emits canonical long names only, values attached, positionals after --', () => {
    const m = parseDockerArgv(['container', 'run', '-dPv/:/h', '--net', 'x', '-e=A', 'img', '--privileged']);
    expect(emitDockerArgv(m)).toEqual([
      'container',
      'run',
      '--detach',
      '--publish-all',
      '--volume=/:/h',
      '--network=x',
      '--env=A',
      '--',
      'img',
      '--privileged',
    ]);
    const u = parseDockerArgv(['-D', '--', '-x', 'y']);
    expect(emitDockerArgv(u)).toEqual(['--debug', '--', '-x', 'y']);
    expect(parseDockerArgv(emitDockerArgv(u))).toEqual(u);
  });
});

describe('parseDockerArgv on anything', () => {
  const anything = fc.array(
    fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        ...TRICKY,
        'run',
        'exec',
        'ps',
        'container',
        'image',
        'rm',
        '-H',
        '-h',
        '--help',
        '-p',
        '-e',
        '--mount',
        '--network',
      ),
      fc.stringMatching(/^-{1,3}[a-zA-Z=.-]{0,6}$/),
    ),
    { maxLength: 10 },
  );
  it('throws nothing but UsageError (string fuzz)', () => {
    fc.assert(
      fc.property(anything, (argv) => {
        tryParse(argv);
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  }, 120_000);
  it('throws nothing but UsageError on table-shaped argvs', () => {
    fc.assert(
      fc.property(tableArgv, (argv) => {
        tryParse(argv);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  }, 120_000);
});
