// For the rule tests: every way docker's parser (pflag) lets a user spell one flag occurrence,
// derived from the generated flag table so hidden aliases and shorthands are never forgotten.
import { COMMANDS, GLOBAL_FLAGS } from '../docker/flag-table.js';
import type { FlagSpec } from '../docker/model.js';

function specsOf(command: string | null): readonly FlagSpec[] {
  if (command === null) return GLOBAL_FLAGS;
  const c = COMMANDS[command];
  if (!c) throw new Error(`no command ${command} in the flag table`);
  return c.flags;
}

/** Bool shorthands to put in front of a shorthand in a group (`-it` + `v`), per command. */
const GROUP_PREFIX: Readonly<Record<string, string>> = { run: 'it', create: 'it', exec: 'it', build: 'q', global: 'D' };

/**
 * The token sequences that set `canonical` (a canonical long name of `command`, or a global flag
 * when command is null) to `value`: `--x=v`, `--x v`, every hidden alias, and for a shorthand
 * `-s v`, `-sv`, `-s=v` and the same inside a group of bool shorthands. For a bool flag `value`
 * is the explicit value for the `=` spellings; the bare spellings mean true.
 */
export function spellings(command: string | null, canonical: string, value: string): string[][] {
  const specs = specsOf(command);
  const main = specs.find((f) => f.long === canonical && !f.aliasOf);
  if (!main) throw new Error(`no flag --${canonical} for ${command ?? 'docker'}`);
  const names = [main, ...specs.filter((f) => f.aliasOf === canonical)];
  const out: string[][] = [];
  const bool = main.type === 'bool';
  for (const f of names) {
    out.push([`--${f.long}=${value}`]);
    if (bool) out.push([`--${f.long}`]);
    else out.push([`--${f.long}`, value]);
  }
  if (main.short) {
    const s = main.short;
    const group = GROUP_PREFIX[command ?? 'global'] ?? '';
    for (const prefix of ['', group]) {
      out.push([`-${prefix}${s}=${value}`]);
      if (bool) out.push([`-${prefix}${s}`]);
      else out.push([`-${prefix}${s}`, value], [`-${prefix}${s}${value}`]);
    }
  }
  return out;
}
