// Builds the docker argv from the model: canonical long names only, each value attached with '='
// so no value is ever read as a flag, and '--' before the positionals so no positional is either.
// parseDockerArgv(emitDockerArgv(m)) equals m (property-tested).
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
  const specs = cmd.command ? COMMANDS[cmd.command].flags : [];
  const out = [...emitFlags(cmd.globals, GLOBAL_FLAGS), ...cmd.words, ...emitFlags(cmd.flags, specs)];
  if (cmd.args.length > 0) out.push('--', ...cmd.args);
  return out;
}
