// Splits cida-docker's own leading flags from the docker argv that follows them. oclif's parser
// cannot be used for this: it reorders repeated arguments and reads docker's flags as its own.
// Our flags come first; the docker argv starts at '--' (removed) or at the first other argument.

export interface OwnFlagSpec {
  /** Long names of boolean flags (`json`). */
  readonly booleans: readonly string[];
  /** Long names of flags taking a value (`policy`). */
  readonly values: readonly string[];
}

export interface SplitArgv {
  readonly booleans: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly rest: string[];
}

export class OwnFlagError extends Error {
  override readonly name = 'OwnFlagError';
}

export function splitOwnFlags(argv: readonly string[], spec: OwnFlagSpec): SplitArgv {
  const booleans = new Set<string>();
  const values = new Map<string, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('--')) break;
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (spec.booleans.includes(name) && eq < 0) booleans.add(name);
    else if (spec.values.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new OwnFlagError(`--${name} needs a value`);
      values.set(name, value);
    } else break;
  }
  return { booleans, values, rest: argv.slice(i) };
}
