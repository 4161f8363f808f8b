// Builds the docker argv from the model: canonical long names only, each value attached with '='
// so no value is ever read as a flag, and '--' before the positionals so no positional is either.
// parseDockerArgv(emitDockerArgv(m)) equals m (property-tested in emit.test.ts).
import { COMMANDS, GLOBAL_FLAGS } from './flag-table.js';
import type { FlagSpec, FlagValues, ParsedCommand } from './model.js';

function emitFlags(values: FlagValues, specs: readonly FlagSpec[]): string[] {
  const bools = new Set(specs.filter((f) => f.type === 'bool').map((f) => f.long));
  const out: string[] = [];
  for (const [name, vals] of Object.entries(values))
    for (const v of vals) out.push(bools.has(name) && v === 'true' ? `--${name}` : `--${name}=${v}`);
  return out;
}

export function emitDockerArgv(cmd: ParsedCommand): string[] {
  const globals = emitFlags(cmd.globals, GLOBAL_FLAGS);
  if (cmd.command === null) {
    // A command we do not parse: its words and arguments go through as given, after a '--' that
    // ends the global flags (so a word like '-x' after `docker --` stays a word).
    return cmd.words.length > 0 ? [...globals, '--', ...cmd.words, ...cmd.args] : globals;
  }
  const out = [...globals, ...cmd.words, ...emitFlags(cmd.flags, COMMANDS[cmd.command].flags)];
  if (cmd.args.length > 0) out.push('--', ...cmd.args);
  return out;
}
