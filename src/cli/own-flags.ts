// cida-docker's own flags (check, audit, lint), declared once: this spec is what the command reads
// on the lean path and what its oclif command shows in --help (src/commands/own-flag-spec.ts).
// oclif's parser cannot read them: it reorders repeated arguments and would take docker's flags
// after them for its own.

export interface OwnFlag {
  readonly name: string;
  /** `--policy FILE` takes a value; `--json` is a switch. */
  readonly takesValue: boolean;
  readonly description: string;
  /** The value when the flag is not given (value flags only). */
  readonly default?: string;
  /** The only values accepted (value flags only). */
  readonly options?: readonly string[];
}

export type OwnFlagSpec = readonly OwnFlag[];

export interface OwnArgs {
  /** Switches given. */
  readonly booleans: ReadonlySet<string>;
  /** Every value flag: the value given, else its default (absent when it has none). */
  readonly values: ReadonlyMap<string, string>;
  /** What follows our flags (leading mode), or every other argument (interspersed mode). */
  readonly rest: string[];
}

export class OwnFlagError extends Error {
  override readonly name = 'OwnFlagError';
}

/**
 * Reads our flags from `argv`. Leading mode (check, audit): our flags come first and the rest —
 * a docker argv — starts at '--' (removed) or at the first argument that is not ours. Interspersed
 * mode (lint): flags and arguments mix, '--' ends the flags, and an unknown flag is an error.
 */
export function parseOwnFlags(
  argv: readonly string[],
  spec: OwnFlagSpec,
  mode: 'leading' | 'interspersed' = 'leading',
): OwnArgs {
  const booleans = new Set<string>();
  const values = new Map<string, string>();
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') ? spec.find((f) => f.name === a.slice(2, eq < 0 ? undefined : eq)) : undefined;
    if (flag && !flag.takesValue && eq < 0) booleans.add(flag.name);
    else if (flag?.takesValue) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new OwnFlagError(`--${flag.name} needs a value`);
      if (flag.options && !flag.options.includes(value))
        throw new OwnFlagError(`--${flag.name} must be one of ${flag.options.join(', ')}, got ${value}`);
      values.set(flag.name, value);
    } else if (mode === 'leading') break;
    else if (a.startsWith('-') && a !== '-') throw new OwnFlagError(`unknown flag ${a}`);
    else rest.push(a);
  }
  rest.push(...argv.slice(i));
  for (const f of spec) if (f.default !== undefined && !values.has(f.name)) values.set(f.name, f.default);
  return { booleans, values, rest };
}
