import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, GLOBAL_FLAGS } from '../docker/flag-table.js';
import type { ParsedCommand } from '../docker/model.js';
import { FLAG_CLASSES, GLOBAL_FLAG_CLASSES, SUPPORTED_COMMANDS } from './flag-classes.js';
import { checkCommand, ruleById } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'unclassified-flag';

// Pretend nobody has classified run's --dns and the global --log-level yet, as if a newer docker
// had just added them: the registry must refuse them until someone does.
vi.mock('./flag-classes.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('./flag-classes.js')>();
  const run = { ...orig.FLAG_CLASSES.run };
  delete run.dns;
  const globals = { ...orig.GLOBAL_FLAG_CLASSES };
  delete globals['log-level'];
  return { ...orig, FLAG_CLASSES: { ...orig.FLAG_CLASSES, run }, GLOBAL_FLAG_CLASSES: globals };
});

const cmd = (over: Partial<ParsedCommand>): ParsedCommand => ({
  globals: {},
  words: ['ps'],
  command: 'ps',
  flags: {},
  args: [],
  ...over,
});

describe('unclassified-flag', () => {
  it.each([
    [['run', '--dns', '1.1.1.1', IMAGE]],
    [['run', '--dns=1.1.1.1', IMAGE]],
    [['container', 'run', '--dns', '1.1.1.1', '--dns', '9.9.9.9', IMAGE]],
    [['-l', 'debug', 'ps']],
    [['--log-level=info', 'ps']],
    [['-Dl', 'debug', 'ps']],
  ])('refuses a flag the table does not classify: %j', (argv) => {
    expect(verdict(argv)).toEqual([ID]);
  });

  it('names the flag, global or not', () => {
    const v = checkCommand(cmd({ flags: { frobnicate: ['x'] } }), TEST_POLICY);
    expect(v).toEqual([
      { rule: ID, message: '--frobnicate has not been reviewed for cida-docker', fix: ruleById(ID).fix },
    ]);
    const g = checkCommand(cmd({ globals: { 'new-global': ['true'] } }), TEST_POLICY);
    expect(g.map((x) => [x.rule, x.message])).toEqual([
      [ID, 'global flag --new-global has not been reviewed for cida-docker'],
    ]);
  });

  it('refuses with any value, even an empty or false one', () => {
    expect(checkCommand(cmd({ flags: { frobnicate: ['false'] } }), TEST_POLICY).map((x) => x.rule)).toEqual([ID]);
    expect(
      checkCommand(cmd({ command: 'run', words: ['run'], flags: { dns: [''] }, args: [IMAGE] }), TEST_POLICY).map(
        (x) => x.rule,
      ),
    ).toContain(ID);
  });

  it('leaves classified flags alone', () => {
    expect(verdict(['run', '--dns-search', 'example.internal', '--add-host', 'db:10.0.0.5', IMAGE])).toEqual([]);
    expect(verdict(['-D', 'ps', '-a'])).toEqual([]);
    // After the image the flag belongs to the container's command.
    expect(verdict(['run', IMAGE, '--dns', '1.1.1.1'])).toEqual([]);
  });
});

describe('the real allowlist (without the mock above)', async () => {
  const real = await vi.importActual<typeof import('./flag-classes.js')>('./flag-classes.js');

  it('classifies every flag docker 28.2.2 has for every supported command, and only those', () => {
    for (const name of SUPPORTED_COMMANDS) {
      const table = COMMANDS[name].flags
        .filter((f) => !f.aliasOf)
        .map((f) => f.long)
        .sort();
      expect(Object.keys(real.FLAG_CLASSES[name]).sort(), name).toEqual(table);
    }
    expect(Object.keys(real.GLOBAL_FLAG_CLASSES).sort()).toEqual(GLOBAL_FLAGS.map((f) => f.long).sort());
  });

  it('names only rules that exist', () => {
    const classes = [
      ...Object.values(real.FLAG_CLASSES).flatMap((c) => Object.values(c)),
      ...Object.values(real.GLOBAL_FLAG_CLASSES),
    ];
    for (const c of classes)
      if (typeof c === 'object') expect(() => ruleById('refuse' in c ? c.refuse : c.check)).not.toThrow();
  });

  it('is what the mock altered (sanity)', () => {
    expect(FLAG_CLASSES.run.dns).toBeUndefined();
    expect(GLOBAL_FLAG_CLASSES['log-level']).toBeUndefined();
    expect(real.FLAG_CLASSES.run.dns).toBe('allow');
  });
});
