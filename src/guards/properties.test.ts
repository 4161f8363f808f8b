// Properties of the whole rulebook: a refused flag cannot be smuggled into an allowed command by
// spelling or position, and no argv makes the checker throw anything but a usage error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_FLAGS } from '../docker/flag-table.js';
import { UsageError } from '../docker/model.js';
import { FLAG_CLASSES, GLOBAL_FLAG_CLASSES, type FlagClass } from './flag-classes.js';
import { checkCommand, decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

/** A value docker accepts for each refused flag (bool flags get a bool). */
const SAMPLE: Record<string, string> = {
  volume: '/:/host',
  'volumes-from': 'bob-db',
  'volume-driver': 'local',
  'storage-opt': 'size=1G',
  'cap-add': 'SYS_ADMIN',
  device: '/dev/fuse',
  'device-cgroup-rule': 'a *:* rwm',
  'device-read-bps': '/dev/sda:1mb',
  'device-write-bps': '/dev/sda:1mb',
  'device-read-iops': '/dev/sda:1000',
  'device-write-iops': '/dev/sda:1000',
  'blkio-weight-device': '/dev/sda:200',
  gpus: 'all',
  link: 'bob-db:db',
  sysctl: 'net.ipv4.ip_forward=1',
  runtime: 'runc',
  isolation: 'default',
  annotation: 'a=b',
  'kernel-memory': '4m',
  'cpu-rt-period': '1000',
  'cpu-rt-runtime': '100',
  'cgroup-parent': '/x',
  attach: 'stdout',
  'env-file': '/etc/shadow',
  'label-file': '/etc/shadow',
  cidfile: '/tmp/cid',
  host: 'unix:///tmp/fake.sock',
  context: 'default',
  config: '/tmp/x',
  tlscacert: '/x',
  tlscert: '/x',
  tlskey: '/x',
  checkpoint: 'cp1',
  'checkpoint-dir': '/tmp/cp',
  iidfile: '/tmp/iid',
};
const BOOL_SAMPLES = ['true', 'false', '1', '0', 't', 'F', 'TRUE', 'False'];

const refusedIn = (classes: Readonly<Record<string, FlagClass>>): [string, string][] =>
  Object.entries(classes).flatMap(([name, c]) => (typeof c === 'object' && 'refuse' in c ? [[name, c.refuse]] : []));

const isBool = (command: string | null, name: string): boolean =>
  (command === null ? GLOBAL_FLAGS : COMMANDS[command].flags).some((f) => f.long === name && f.type === 'bool');

/** Every spelling of every refused flag of `command`, with the rule that must refuse it. */
function refusedSpellings(
  command: string | null,
  classes: Readonly<Record<string, FlagClass>>,
): { tokens: string[]; rule: string }[] {
  return refusedIn(classes).flatMap(([name, rule]) => {
    const values = isBool(command, name) ? BOOL_SAMPLES : [SAMPLE[name]];
    return values.flatMap((v) => spellings(command, name, v).map((tokens) => ({ tokens, rule })));
  });
}

/** Harmless flags an allowed `run` / `exec` may carry, each as its tokens. */
const RUN_HARMLESS = [
  ['-e', 'A=1'],
  ['--rm'],
  ['-i'],
  ['-t'],
  ['-it'],
  ['--name', 'web'],
  ['--init'],
  ['-w', '/app'],
  ['--read-only'],
  ['--tmpfs', '/tmp'],
  ['-l', 'team=geo'],
  ['--dns', '1.1.1.1'],
  ['--cap-drop', 'ALL'],
  ['--hostname', 'h'],
  ['--network', 'bridge'],
  ['--security-opt', 'no-new-privileges'],
  ['--mount', 'type=tmpfs,dst=/cache'],
  ['-eX=--privileged'],
  ['--entrypoint', ''],
  ['--stop-timeout', '20'],
];
const EXEC_HARMLESS = [['-e', 'A=1'], ['-i'], ['-t'], ['-it'], ['-w', '/app'], ['-d']];
const GLOBAL_HARMLESS = [['-D'], ['--debug'], ['-l', 'info'], ['--log-level=debug']];

describe('every refused flag has a sample value', () => {
  it.each([
    ...refusedIn(FLAG_CLASSES.run),
    ...refusedIn(FLAG_CLASSES.exec),
    ...refusedIn(FLAG_CLASSES.start),
    ...refusedIn(FLAG_CLASSES.build),
    ...refusedIn(GLOBAL_FLAG_CLASSES),
  ])('--%s (%s)', (name) => {
    expect(
      isBool(null, name) ||
        Object.values(COMMANDS).some((c) => c.flags.some((f) => f.long === name && f.type === 'bool')) ||
        name in SAMPLE,
    ).toBe(true);
  });
});

/** Inserts `tokens` as a unit at flag-boundary `at` of a list of flag token groups. */
function assemble(groups: string[][], insert: string[], at: number): string[] {
  const i = at % (groups.length + 1);
  return [...groups.slice(0, i), insert, ...groups.slice(i)].flat();
}

describe('property: a refused flag anywhere before the image refuses an allowed command', () => {
  const runRefused = refusedSpellings('run', FLAG_CLASSES.run);
  const execRefused = refusedSpellings('exec', FLAG_CLASSES.exec);
  const globalRefused = refusedSpellings(null, GLOBAL_FLAG_CLASSES);

  it('the harmless bases are allowed', () => {
    for (const g of RUN_HARMLESS) expect(verdict(['run', ...g, IMAGE]), g.join(' ')).toEqual([]);
    for (const g of EXEC_HARMLESS) expect(verdict(['exec', ...g, 'web', 'sh']), g.join(' ')).toEqual([]);
    for (const g of GLOBAL_HARMLESS) expect(verdict([...g, 'run', IMAGE]), g.join(' ')).toEqual([]);
  });

  it('run', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...RUN_HARMLESS), { maxLength: 6 }),
        fc.constantFrom(...runRefused),
        fc.nat(),
        fc.array(fc.string(), { maxLength: 3 }),
        (groups, refused, at, containerArgs) => {
          const base = ['run', ...groups.flat(), IMAGE, ...containerArgs];
          expect(verdict(base)).toEqual([]);
          const argv = ['run', ...assemble(groups, refused.tokens, at), IMAGE, ...containerArgs];
          const v = verdict(argv);
          expect(v, argv.join(' ')).not.toBe('usage');
          expect(v, argv.join(' ')).toContain(refused.rule);
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('exec', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...EXEC_HARMLESS), { maxLength: 4 }),
        fc.constantFrom(...execRefused),
        fc.nat(),
        (groups, refused, at) => {
          const argv = ['exec', ...assemble(groups, refused.tokens, at), 'web', 'sh'];
          expect(verdict(argv), argv.join(' ')).toContain(refused.rule);
        },
      ),
      { numRuns: 500 },
    );
  }, 60_000);

  it('global flags before run', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...GLOBAL_HARMLESS), { maxLength: 3 }),
        fc.constantFrom(...globalRefused),
        fc.nat(),
        fc.constantFrom(['run'], ['container', 'run']),
        fc.uniqueArray(fc.constantFrom(...RUN_HARMLESS), { maxLength: 3 }),
        (globals, refused, at, words, flags) => {
          const argv = [...assemble(globals, refused.tokens, at), ...words, ...flags.flat(), IMAGE];
          expect(verdict(argv), argv.join(' ')).toContain(refused.rule);
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('after the image, the same tokens belong to the container and are allowed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...runRefused), (refused) => {
        expect(verdict(['run', IMAGE, ...refused.tokens])).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('property: checking never throws anything but a usage error', () => {
  const flagTokens = [
    ...GLOBAL_FLAGS.flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]),
    ...Object.values(COMMANDS).flatMap((c) =>
      c.flags.flatMap((f) => [`--${f.long}`, `--${f.long}=`, ...(f.short ? [`-${f.short}`] : [])]),
    ),
  ];
  const words = [
    ...new Set(Object.values(COMMANDS).flatMap((c) => c.aliases.flat())),
    'volume',
    'system',
    'help',
    '--',
    '-',
    '',
  ];
  const values = [
    IMAGE,
    'host',
    'container:x',
    'name=host',
    'type=bind,src=/,dst=/h',
    'type=tmpfs,dst=/x',
    '"',
    '""',
    '"a,b"',
    ',',
    '=',
    'no-new-privileges',
    'seccomp=unconfined',
    '0',
    '-1',
    'true',
    'root',
    '0:0',
    '/:/h',
    '80:80',
    'a=b',
    '\n',
    '\u0000',
  ];
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...flagTokens) },
    { weight: 2, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom(...flagTokens).chain((f) => fc.string().map((s) => `${f}=${s}`)) },
  );

  it('decide', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (argv) => {
        try {
          decide(argv, TEST_POLICY);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  }, 60_000);

  it('checkCommand on hand-made models with arbitrary values', () => {
    const names = [...new Set(Object.values(COMMANDS).flatMap((c) => c.flags.map((f) => f.long)))];
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(COMMANDS), null),
        fc.dictionary(
          fc.constantFrom(...names),
          fc.array(fc.oneof(fc.string(), fc.constantFrom(...values)), { minLength: 1, maxLength: 3 }),
        ),
        fc.array(fc.string(), { maxLength: 3 }),
        (command, flags, args) => {
          checkCommand({ globals: {}, words: command ? [command] : [], command, flags, args }, TEST_POLICY);
        },
      ),
      { numRuns: 2000 },
    );
  }, 60_000);
});
