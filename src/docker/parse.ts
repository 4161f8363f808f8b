// Reads a docker argv exactly as the docker 28.2.2 CLI does (spf13/pflag v1.0.6 under cobra),
// so that no spelling — `-dPv/:/h`, `--privileged=1`, `--net=host`, a flag given twice — reads
// differently here than in docker. Each branch cites the pflag behaviour it mirrors
// (docker-cli-flags.json → pflagRules).
import { COMMANDS, GLOBAL_FLAGS } from './flag-table.js';
import { type CommandSpec, type FlagSpec, type FlagValues, type ParsedCommand, UsageError } from './model.js';
import { checkFlagValue, goQuote, goQuoteByte, validateCommand } from './values.js';

interface FlagSet {
  readonly byLong: ReadonlyMap<string, FlagSpec>;
  readonly byShort: ReadonlyMap<string, FlagSpec>;
  readonly interspersed: boolean;
  /** Canonical command name (selects the value validators docker attaches); null for globals. */
  readonly command: string | null;
}

function flagSet(flags: readonly FlagSpec[], interspersed: boolean, command: string | null): FlagSet {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const f of flags) {
    byLong.set(f.long, f);
    if (f.short) byShort.set(f.short, f);
  }
  return { byLong, byShort, interspersed, command };
}

const GLOBAL_SET = flagSet(GLOBAL_FLAGS, false, null);
const COMMAND_SETS = new Map<string, FlagSet>(
  Object.values(COMMANDS).map((c) => [c.name, flagSet(c.flags, c.interspersed, c.name)]),
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
  /** Names of the flags given, as registered (an alias by its own name): pflag's Changed. */
  changed: Set<string>;
}

function setFlag(values: FlagValues, flag: FlagSpec, set: FlagSet, raw: string): void {
  const canonical = flag.aliasOf ? set.byLong.get(flag.aliasOf) ?? flag : flag;
  let value = raw;
  // pflag names the flag in its error by the flag's own registration (FlagSet.Set), not by how it
  // was spelled: "-d, --detach" for --detach=yes too; an alias by its own name (--net).
  const named = () => (flag.short && !flag.shorthandDeprecated ? `-${flag.short}, --${flag.long}` : `--${flag.long}`);
  if (canonical.type === 'bool') {
    const b = BOOL_VALUES[raw];
    if (b === undefined)
      throw new UsageError(
        `invalid argument ${goQuote(raw)} for ${goQuote(named())} flag: strconv.ParseBool: parsing ${goQuote(raw)}: invalid syntax`,
      );
    value = b;
  } else {
    const problem = checkFlagValue(canonical, raw, set.command);
    if (problem !== null) throw new UsageError(`invalid argument ${goQuote(raw)} for ${goQuote(named())} flag: ${problem}`);
  }
  const name = canonical.long;
  if (canonical.repeatable) (values[name] ??= []).push(value);
  else {
    // Scalars: last wins. Delete first so the key's order records the flag's last position.
    delete values[name];
    values[name] = [value];
  }
}

/** pflag's FlagSet.Parse (flag.go parseArgs/parseLongArg/parseShortArg), one FlagSet. */
function parseFlags(argv: readonly string[], set: FlagSet): FlagParse {
  const values: FlagValues = {};
  const args: string[] = [];
  const changed = new Set<string>();
  let rest = [...argv];
  while (rest.length > 0) {
    const s = rest.shift() as string;
    // A bare '-', an empty string or a word is a positional.
    if (s.length < 2 || s[0] !== '-') {
      args.push(s);
      if (!set.interspersed) {
        args.push(...rest);
        return { values, args, changed };
      }
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        // '--' ends flag parsing and is removed.
        args.push(...rest);
        return { values, args, changed };
      }
      rest = parseLong(s, rest, set, values, changed);
    } else {
      rest = parseShortGroup(s, rest, set, values, changed);
    }
  }
  return { values, args, changed };
}

function parseLong(s: string, rest: string[], set: FlagSet, values: FlagValues, changed: Set<string>): string[] {
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
  setFlag(values, flag, set, value);
  changed.add(flag.long);
  return rest;
}

function parseShortGroup(s: string, rest: string[], set: FlagSet, values: FlagValues, changed: Set<string>): string[] {
  let shorthands = s.slice(1);
  while (shorthands.length > 0) {
    // pflag's go-test workaround: '-test.v' (also inside a group) is silently dropped.
    if (shorthands.startsWith('test.')) return rest;
    const c = shorthands[0];
    const flag = set.byShort.get(c);
    // pflag reports the shorthand byte and the rest of the group from it: "'x' in -x" for -dx.
    if (!flag) throw new UsageError(`unknown shorthand flag: ${goQuoteByte(Buffer.from(c, 'utf8')[0])} in -${shorthands}`);
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
      throw new UsageError(`flag needs an argument: ${goQuoteByte(c.charCodeAt(0))} in -${shorthands}`);
    }
    setFlag(values, flag, set, value);
    changed.add(flag.long);
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

/** cobra's CommandPath: `docker` + the group word + the command's canonical name ('docker rm' for `remove`). */
export function commandPath(words: readonly string[], spec: CommandSpec): string {
  const canonical =
    words.length === 2
      ? spec.aliases.find((a) => a.length === 2 && a[0] === words[0])
      : spec.aliases.find((a) => a.length === 1);
  return ['docker', ...(canonical ?? words)].join(' ');
}

/** cobra's positional-argument check (cli/required.go), with docker's wording. */
function checkArgCount(spec: CommandSpec, words: readonly string[], n: number): void {
  const path = commandPath(words, spec);
  const m = /^cli\.(\w+)\((?:(\d+)(?:, *(\d+))?)?\)$/.exec(spec.argsRule) ?? /^cli\.(NoArgs)$/.exec(spec.argsRule);
  if (!m) return;
  const a = m[2] === undefined ? 0 : Number(m[2]);
  const b = m[3] === undefined ? 0 : Number(m[3]);
  const plural = (k: number) => (k === 1 ? 'argument' : 'arguments');
  let problem: string | null = null;
  switch (m[1]) {
    case 'NoArgs':
      if (n > 0) problem = 'accepts no arguments';
      break;
    case 'RequiresMinArgs':
      if (n < a) problem = `requires at least ${a} ${plural(a)}`;
      break;
    case 'RequiresMaxArgs':
      if (n > a) problem = `requires at most ${a} ${plural(a)}`;
      break;
    case 'RequiresRangeArgs':
      if (n < a || n > b) problem = `requires at least ${a} and at most ${b} ${plural(b)}`;
      break;
    case 'ExactArgs':
      if (n !== a) problem = `requires ${a} ${plural(a)}`;
      break;
  }
  if (problem) throw new UsageError(`docker: '${path}' ${problem}`, words);
}

/** True when cobra would print help instead of running (`--help`, or `-h` where it means help). */
function helpRequested(spec: CommandSpec, globals: FlagValues, flags: FlagValues): boolean {
  if (flags.help?.at(-1) === 'true') return true;
  // A global --help reaches the command only through the inherited persistent flag; run and
  // create register their own --help, so `docker --help run` still wants an IMAGE.
  const own = spec.flags.find((f) => f.long === 'help');
  return own?.short === 'h' && globals.help?.at(-1) === 'true';
}

/**
 * True when docker would print the command's help instead of running it (`run --help`,
 * `docker --help ps`): the rules then need no image, context or server to judge it.
 */
export function wantsHelp(cmd: ParsedCommand): boolean {
  const spec = cmd.command === null ? undefined : COMMANDS[cmd.command];
  return spec !== undefined && helpRequested(spec, cmd.globals, cmd.flags);
}

/**
 * Parses `argv` (what follows `docker` on its command line) into the model.
 * Throws UsageError for anything docker's own parser rejects: flag syntax and values (exit 125 in
 * docker), the command's positional-argument count (unless help is asked for), and — for run and
 * create — what docker rejects after parsing but before creating the container (validateCommand).
 */
export function parseDockerArgv(argv: readonly string[]): ParsedCommand {
  const global = parseFlags(argv, GLOBAL_SET);
  const { words, spec } = lookupCommand(global.args);
  if (!spec) return { globals: global.values, words, command: null, flags: {}, args: global.args.slice(words.length) };
  const set = COMMAND_SETS.get(spec.name) as FlagSet;
  let parsed: FlagParse;
  try {
    parsed = parseFlags(global.args.slice(words.length), set);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message, words);
    throw e;
  }
  const cmd: ParsedCommand = { globals: global.values, words, command: spec.name, flags: parsed.values, args: parsed.args };
  if (!helpRequested(spec, global.values, parsed.values)) {
    checkArgCount(spec, words, parsed.args.length);
    // stop/restart: --time (deprecated) and --timeout share one variable; RunE refuses both.
    if (parsed.changed.has('time') && parsed.changed.has('timeout'))
      throw new UsageError('conflicting options: cannot specify both --timeout and --time', words);
    validateCommand(cmd);
  }
  return cmd;
}
