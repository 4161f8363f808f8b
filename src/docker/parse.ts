// Reads a docker argv exactly as the docker 28.2.2 CLI does (spf13/pflag v1.0.6 under cobra),
// so that no spelling — `-dPv/:/h`, `--privileged=1`, `--net=host`, a flag given twice — reads
// differently here than in docker. Each branch cites the pflag behaviour it mirrors
// (docker-cli-flags.json → pflagRules).
import { COMMANDS, DOCKER_GROUPS, GLOBAL_FLAGS } from './flag-table.js';
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
/** Management commands that take a sub-command word (`docker container …`), with every word docker has there. */
const GROUPS = new Map(Object.entries(DOCKER_GROUPS).map(([group, subs]) => [group, new Set(subs)]));

const BOOL_VALUES: Record<string, 'true' | 'false'> = {
  '1': 'true',
  t: 'true',
  T: 'true',
  TRUE: 'true',
  true: 'true',
  True: 'true',
  '0': 'false',
  f: 'false',
  F: 'false',
  FALSE: 'false',
  false: 'false',
  False: 'false',
};

/** The result of one pflag FlagSet.Parse: values and the positionals left over. */
interface FlagParse {
  values: FlagValues;
  args: string[];
  /** Names of the flags given, as registered (an alias by its own name): pflag's Changed. */
  changed: Set<string>;
}

function setFlag(values: FlagValues, flag: FlagSpec, set: FlagSet, raw: string): void {
  const canonical = flag.aliasOf ? (set.byLong.get(flag.aliasOf) ?? flag) : flag;
  let value = raw;
  // pflag names the flag in its error by the flag's own registration (FlagSet.Set), not by how it
  // was spelled: "-d, --detach" for --detach=yes too; an alias by its own name (--net).
  const named = () => (flag.short && !flag.shorthandDeprecated ? `-${flag.short}, --${flag.long}` : `--${flag.long}`);
  if (canonical.type === 'bool') {
    // Own keys only: `valueOf` or `constructor` must not read as a bool through Object.prototype.
    const b = Object.hasOwn(BOOL_VALUES, raw) ? BOOL_VALUES[raw] : undefined;
    if (b === undefined)
      throw new UsageError(
        `invalid argument ${goQuote(raw)} for ${goQuote(named())} flag: strconv.ParseBool: parsing ${goQuote(raw)}: invalid syntax`,
      );
    value = b;
  } else {
    const problem = checkFlagValue(canonical, raw, set.command);
    if (problem !== null)
      throw new UsageError(`invalid argument ${goQuote(raw)} for ${goQuote(named())} flag: ${problem}`);
  }
  const name = canonical.long;
  if (canonical.repeatable) (values[name] ??= []).push(value);
  else {
    // Scalars: last wins. Delete first so the key's order records the flag's last position.
    delete values[name];
    values[name] = [value];
  }
}

/**
 * One flag occurrence as pflag reads it from argv (flag.go parseLongArg/parseShortArg): the
 * parser and the audit's redaction share this one reading, so they never disagree on which
 * token holds which flag's value.
 */
export interface FlagOccurrence {
  /** Index, in the scanned argv, of the token naming the flag. */
  readonly token: number;
  /** The flag as registered in this set; undefined when docker has no such flag here (an error). */
  readonly flag: FlagSpec | undefined;
  /**
   * Where the value is written: `argv[token].slice(start)` (attached `-pX`, `--a=X`, `-e=X`, or the
   * whole next token with start 0). Null when the value is implied ('true' of a bool given alone) or
   * missing. For an unknown flag: what follows its `=` or its shorthand letter, when anything does.
   */
  readonly value: { readonly token: number; readonly start: number } | null;
  /** The value pflag hands to the flag ('true' for a bool given alone). */
  readonly raw: string;
  /** docker's own error for this occurrence (unknown flag, bad syntax, missing value); the scan went on. */
  readonly error?: string;
}

/** A whole FlagSet's reading of argv: its flags in order and the indices of its positionals. */
interface FlagScan {
  readonly occurrences: FlagOccurrence[];
  readonly args: number[];
}

/** pflag's FlagSet.Parse (flag.go parseArgs) as a scan that never stops at an error. */
function scanFlags(argv: readonly string[], set: FlagSet): FlagScan {
  const occurrences: FlagOccurrence[] = [];
  const args: number[] = [];
  let i = 0;
  while (i < argv.length) {
    const s = argv[i];
    // A bare '-', an empty string or a word is a positional.
    if (s.length < 2 || s[0] !== '-') {
      args.push(i++);
      if (!set.interspersed) for (; i < argv.length; i++) args.push(i);
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        // '--' ends flag parsing and is removed.
        for (i++; i < argv.length; i++) args.push(i);
        break;
      }
      i = scanLong(argv, i, set, occurrences);
    } else {
      i = scanShortGroup(argv, i, set, occurrences);
    }
  }
  return { occurrences, args };
}

function scanLong(argv: readonly string[], i: number, set: FlagSet, out: FlagOccurrence[]): number {
  const s = argv[i];
  const body = s.slice(2);
  if (body.length === 0 || body[0] === '-' || body[0] === '=') {
    out.push({ token: i, flag: undefined, value: { token: i, start: 2 }, raw: body, error: `bad flag syntax: ${s}` });
    return i + 1;
  }
  const eq = body.indexOf('=');
  const name = eq < 0 ? body : body.slice(0, eq);
  const flag = set.byLong.get(name);
  const unknown = flag ? undefined : `unknown flag: --${name}`;
  if (eq >= 0) {
    out.push({ token: i, flag, value: { token: i, start: 2 + eq + 1 }, raw: body.slice(eq + 1), error: unknown });
    return i + 1;
  }
  if (!flag || !flag.takesValue) {
    out.push({ token: i, flag, value: null, raw: 'true', error: unknown });
    return i + 1;
  }
  if (i + 1 < argv.length) {
    out.push({ token: i, flag, value: { token: i + 1, start: 0 }, raw: argv[i + 1] });
    return i + 2;
  }
  out.push({ token: i, flag, value: null, raw: '', error: `flag needs an argument: ${s}` });
  return i + 1;
}

function scanShortGroup(argv: readonly string[], i: number, set: FlagSet, out: FlagOccurrence[]): number {
  const s = argv[i];
  for (let k = 1; k < s.length;) {
    const shorthands = s.slice(k);
    // pflag's go-test workaround: '-test.v' (also inside a group) is silently dropped.
    if (shorthands.startsWith('test.')) return i + 1;
    const c = shorthands[0];
    const flag = set.byShort.get(c);
    if (!flag) {
      // pflag reports the shorthand byte and the rest of the group from it: "'x' in -x" for -dx.
      // Whether the rest of the group is its value nobody knows: it is reported as one.
      const error = `unknown shorthand flag: ${goQuoteByte(Buffer.from(c, 'utf8')[0])} in -${shorthands}`;
      out.push({
        token: i,
        flag,
        value: shorthands.length > 1 ? { token: i, start: k + 1 } : null,
        raw: shorthands.slice(1),
        error,
      });
      return i + 1;
    }
    if (shorthands.length > 2 && shorthands[1] === '=') {
      out.push({ token: i, flag, value: { token: i, start: k + 2 }, raw: shorthands.slice(2) });
      return i + 1;
    }
    if (!flag.takesValue) {
      out.push({ token: i, flag, value: null, raw: 'true' });
      k++;
      continue;
    }
    if (shorthands.length > 1) {
      out.push({ token: i, flag, value: { token: i, start: k + 1 }, raw: shorthands.slice(1) });
      return i + 1;
    }
    if (i + 1 < argv.length) {
      out.push({ token: i, flag, value: { token: i + 1, start: 0 }, raw: argv[i + 1] });
      return i + 2;
    }
    out.push({
      token: i,
      flag,
      value: null,
      raw: '',
      error: `flag needs an argument: ${goQuoteByte(c.charCodeAt(0))} in -${shorthands}`,
    });
    return i + 1;
  }
  return i + 1;
}

/** pflag's FlagSet.Parse, one FlagSet: the scan, stopping at its first error or bad value. */
function parseFlags(argv: readonly string[], set: FlagSet): FlagParse {
  const { occurrences, args } = scanFlags(argv, set);
  const values: FlagValues = {};
  const changed = new Set<string>();
  for (const o of occurrences) {
    if (o.error !== undefined || o.flag === undefined) throw new UsageError(o.error ?? 'unknown flag');
    setFlag(values, o.flag, set, o.raw);
    changed.add(o.flag.long);
  }
  return { values, args: args.map((i) => argv[i]), changed };
}

/**
 * Resolves the command words at the start of `rest`: 'container run', 'ps', 'remove'…
 * `unknown`: a sub-command docker does not have under that management command (`image logs`).
 */
function lookupCommand(rest: readonly string[]): { words: string[]; spec: CommandSpec | null; unknown: boolean } {
  const first = rest[0];
  if (first === undefined) return { words: [], spec: null, unknown: false };
  const subs = GROUPS.get(first);
  if (subs && rest.length > 1) {
    const two = COMMAND_BY_WORDS.get(`${first} ${rest[1]}`);
    if (two) return { words: [first, rest[1]], spec: two, unknown: false };
    // `docker container diff`: docker has it, cida-docker does not; `docker image logs`: docker has no such thing.
    return { words: [first, rest[1]], spec: null, unknown: !subs.has(rest[1]) && !rest[1].startsWith('-') };
  }
  return { words: [first], spec: COMMAND_BY_WORDS.get(first) ?? null, unknown: false };
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
  const { words, spec, unknown } = lookupCommand(global.args);
  // The group's cli.NoArgs (cli/required.go:14-21) answers it: exit 1 in docker.
  if (unknown) throw new UsageError(`docker: unknown command: docker ${words.join(' ')}`, words.slice(0, 1));
  if (!spec) return { globals: global.values, words, command: null, flags: {}, args: global.args.slice(words.length) };
  const set = COMMAND_SETS.get(spec.name) as FlagSet;
  let parsed: FlagParse;
  try {
    parsed = parseFlags(global.args.slice(words.length), set);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message, words);
    throw e;
  }
  const cmd: ParsedCommand = {
    globals: global.values,
    words,
    command: spec.name,
    flags: parsed.values,
    args: parsed.args,
  };
  if (!helpRequested(spec, global.values, parsed.values)) {
    checkArgCount(spec, words, parsed.args.length);
    // stop/restart: --time (deprecated) and --timeout share one variable; RunE refuses both.
    if (parsed.changed.has('time') && parsed.changed.has('timeout'))
      throw new UsageError('conflicting options: cannot specify both --timeout and --time', words);
    validateCommand(cmd);
  }
  return cmd;
}

/** True when pflag's strconv.ParseBool reads `raw` (`1`, `t`, `TRUE`, `false`…). */
export function isBoolText(raw: string): boolean {
  return Object.hasOwn(BOOL_VALUES, raw);
}

/**
 * Where everything in a docker argv sits, as the parser reads it, without stopping at errors
 * (the audit redacts the values of usage errors too). Token indices are into `argv`.
 */
export interface ArgvScan {
  /** The global flags' and then the command's flags, in order. */
  readonly occurrences: readonly FlagOccurrence[];
  /** Indices of the command words (`container run`). */
  readonly words: readonly number[];
  /** Canonical command name, or null when docker has no such command here. */
  readonly command: string | null;
  /** Indices of the command's positionals (for run: the image, then the container's command). */
  readonly args: readonly number[];
  /** Indices of the tokens nobody reads: all that follows a command docker does not have. */
  readonly unread: readonly number[];
}

export function scanDockerArgv(argv: readonly string[]): ArgvScan {
  const global = scanFlags(argv, GLOBAL_SET);
  const { words, spec } = lookupCommand(global.args.map((i) => argv[i]));
  const wordTokens = global.args.slice(0, words.length);
  // The global set does not intersperse: its positionals are a contiguous tail of argv.
  const rest = global.args.slice(words.length);
  if (!spec) return { occurrences: global.occurrences, words: wordTokens, command: null, args: [], unread: rest };
  const start = rest[0] ?? argv.length;
  const own = scanFlags(argv.slice(start), COMMAND_SETS.get(spec.name) as FlagSet);
  const shift = (o: FlagOccurrence): FlagOccurrence => ({
    ...o,
    token: o.token + start,
    value: o.value === null ? null : { token: o.value.token + start, start: o.value.start },
  });
  return {
    occurrences: [...global.occurrences, ...own.occurrences.map(shift)],
    words: wordTokens,
    command: spec.name,
    args: own.args.map((i) => i + start),
    unread: [],
  };
}
