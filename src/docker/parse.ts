// Reads a docker argv exactly as the docker 28.2.2 CLI does (spf13/pflag v1.0.6 under cobra),
// so that no spelling — `-dPv/:/h`, `--privileged=1`, `--net=host`, a flag given twice — reads
// differently here than in docker. Each branch cites the pflag behaviour it mirrors
// (docker-cli-flags.json → pflagRules).
import { COMMANDS, GLOBAL_FLAGS } from './flag-table.js';
import { type CommandSpec, type FlagSpec, type FlagValues, type ParsedCommand, UsageError } from './model.js';
import { checkFlagValue } from './values.js';

interface FlagSet {
  readonly byLong: ReadonlyMap<string, FlagSpec>;
  readonly byShort: ReadonlyMap<string, FlagSpec>;
  readonly interspersed: boolean;
}

function flagSet(flags: readonly FlagSpec[], interspersed: boolean): FlagSet {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const f of flags) {
    byLong.set(f.long, f);
    if (f.short) byShort.set(f.short, f);
  }
  return { byLong, byShort, interspersed };
}

const GLOBAL_SET = flagSet(GLOBAL_FLAGS, false);
const COMMAND_SETS = new Map<string, FlagSet>(
  Object.values(COMMANDS).map((c) => [c.name, flagSet(c.flags, c.interspersed)]),
);

/** Command words (`container run`, `image ls`, `remove`) → canonical command. */
const COMMAND_BY_WORDS = new Map<string, CommandSpec>();
for (const c of Object.values(COMMANDS)) for (const w of c.aliases) COMMAND_BY_WORDS.set(w.join(' '), c);
/** Management commands that take a sub-command word (`docker container …`). */
const GROUPS = new Set([...COMMAND_BY_WORDS.keys()].filter((k) => k.includes(' ')).map((k) => k.split(' ')[0]));

const BOOL_VALUES: Record<string, 'true' | 'false'> = {
  '1': 'true', t: 'true', T: 'true', TRUE: 'true', true: 'true', True: 'true',
  '0': 'false', f: 'false', F: 'false', FALSE: 'false', false: 'false', False: 'false',
};

/** The result of one pflag FlagSet.Parse: values and the positionals left over. */
interface FlagParse {
  values: FlagValues;
  args: string[];
}

function setFlag(values: FlagValues, flag: FlagSpec, set: FlagSet, raw: string, spelled: string): void {
  const canonical = flag.aliasOf ? set.byLong.get(flag.aliasOf) ?? flag : flag;
  let value = raw;
  if (canonical.type === 'bool') {
    const b = BOOL_VALUES[raw];
    if (b === undefined)
      throw new UsageError(
        `invalid argument "${raw}" for "${spelled}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
      );
    value = b;
  } else {
    const problem = checkFlagValue(canonical, raw);
    if (problem !== null) throw new UsageError(`invalid argument "${raw}" for "${spelled}" flag: ${problem}`);
  }
  const name = canonical.long;
  if (canonical.repeatable) (values[name] ??= []).push(value);
  else {
    // Scalars: last wins. Delete first so the key's order records the flag's last position.
    delete values[name];
    values[name] = [value];
  }
}

function spelling(flag: FlagSpec, short: boolean): string {
  return short && flag.short ? `-${flag.short}, --${flag.long}` : `--${flag.long}`;
}

/** pflag's FlagSet.Parse (flag.go parseArgs/parseLongArg/parseShortArg), one FlagSet. */
function parseFlags(argv: readonly string[], set: FlagSet): FlagParse {
  const values: FlagValues = {};
  const args: string[] = [];
  let rest = [...argv];
  while (rest.length > 0) {
    const s = rest.shift() as string;
    // A bare '-', an empty string or a word is a positional.
    if (s.length < 2 || s[0] !== '-') {
      args.push(s);
      if (!set.interspersed) {
        args.push(...rest);
        return { values, args };
      }
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        // '--' ends flag parsing and is removed.
        args.push(...rest);
        return { values, args };
      }
      rest = parseLong(s, rest, set, values);
    } else {
      rest = parseShortGroup(s, rest, set, values);
    }
  }
  return { values, args };
}

function parseLong(s: string, rest: string[], set: FlagSet, values: FlagValues): string[] {
  const body = s.slice(2);
  if (body.length === 0 || body[0] === '-' || body[0] === '=') throw new UsageError(`bad flag syntax: ${s}`);
  const eq = body.indexOf('=');
  const name = eq < 0 ? body : body.slice(0, eq);
  const flag = set.byLong.get(name);
  if (!flag) throw new UsageError(`unknown flag: --${name}`);
  let value: string;
  if (eq >= 0) value = body.slice(eq + 1);
  else if (!flag.takesValue) value = 'true';
  else if (rest.length > 0) value = rest.shift() as string;
  else throw new UsageError(`flag needs an argument: ${s}`);
  setFlag(values, flag, set, value, `--${name}`);
  return rest;
}

function parseShortGroup(s: string, rest: string[], set: FlagSet, values: FlagValues): string[] {
  let shorthands = s.slice(1);
  while (shorthands.length > 0) {
    // pflag's go-test workaround: '-test.v' (also inside a group) is silently dropped.
    if (shorthands.startsWith('test.')) return rest;
    const c = shorthands[0];
    const flag = set.byShort.get(c);
    if (!flag) throw new UsageError(`unknown shorthand flag: '${c}' in ${s}`);
    let value: string;
    if (shorthands.length > 2 && shorthands[1] === '=') {
      value = shorthands.slice(2);
      shorthands = '';
    } else if (!flag.takesValue) {
      value = 'true';
      shorthands = shorthands.slice(1);
    } else if (shorthands.length > 1) {
      value = shorthands.slice(1);
      shorthands = '';
    } else if (rest.length > 0) {
      value = rest.shift() as string;
      shorthands = '';
    } else {
      throw new UsageError(`flag needs an argument: '${c}' in ${s}`);
    }
    setFlag(values, flag, set, value, spelling(flag, true));
  }
  return rest;
}

/** Resolves the command words at the start of `rest`: 'container run', 'ps', 'remove'… */
function lookupCommand(rest: readonly string[]): { words: string[]; spec: CommandSpec | null } {
  const first = rest[0];
  if (first === undefined) return { words: [], spec: null };
  if (GROUPS.has(first) && rest.length > 1) {
    const two = COMMAND_BY_WORDS.get(`${first} ${rest[1]}`);
    if (two) return { words: [first, rest[1]], spec: two };
    // `docker container frobnicate`: an unknown sub-command of a known group.
    return { words: [first, rest[1]], spec: null };
  }
  return { words: [first], spec: COMMAND_BY_WORDS.get(first) ?? null };
}

/**
 * Parses `argv` (what follows `docker` on its command line) into the model.
 * Throws UsageError for anything docker's own parser rejects.
 */
export function parseDockerArgv(argv: readonly string[]): ParsedCommand {
  const global = parseFlags(argv, GLOBAL_SET);
  const { words, spec } = lookupCommand(global.args);
  if (!spec) return { globals: global.values, words, command: null, flags: {}, args: global.args.slice(words.length) };
  const set = COMMAND_SETS.get(spec.name) as FlagSet;
  try {
    const parsed = parseFlags(global.args.slice(words.length), set);
    return { globals: global.values, words, command: spec.name, flags: parsed.values, args: parsed.args };
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message, words);
    throw e;
  }
}
