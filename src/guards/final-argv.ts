// The docker commands that actually run for an allowed command, built once: the broker runs them
// and `check` prints them. For `run` the broker does not run `docker run`: it creates the
// container (checks the user it would run as, pins it as uid:gid), starts it, verifies it, and
// for a foreground run follows it as docker's own run would.
import { COMMANDS } from '../docker/flag-table.js';
import { emitDockerArgv } from '../docker/emit.js';
import { isSet, type ParsedCommand } from '../docker/model.js';

/** Flags of `run` that `create` does not have: the broker handles them itself. */
const RUN_ONLY = new Set(['detach', 'detach-keys', 'sig-proxy']);

/** The `create` command equivalent to a (forced) `run`. `keepRm` false drops --rm (foreground: the broker removes). */
export function createFromRun(run: ParsedCommand, keepRm: boolean): ParsedCommand {
  const known = new Set(COMMANDS.create.flags.map((f) => f.long));
  const flags: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(run.flags)) {
    if (RUN_ONLY.has(name) || (name === 'rm' && !keepRm)) continue;
    if (!known.has(name)) throw new Error(`run flag --${name} has no create equivalent`);
    flags[name] = values;
  }
  const words = run.words.length === 2 ? [run.words[0], 'create'] : ['create'];
  return { ...run, command: 'create', words, flags };
}

/**
 * The docker argvs the broker runs for a forced command, in order, with `CONTAINER` standing for
 * the id `create` prints. For run: create (again with `--user UID:GID` when the image names its
 * user), start, then for a foreground run the logs (or attach) and wait, and rm for --rm.
 */
export function finalSteps(forced: ParsedCommand, asked: ParsedCommand = forced): string[][] {
  if (forced.command !== 'run') return [emitDockerArgv(forced)];
  const foreground = !isSet(asked.flags, 'detach');
  const autoRemove = isSet(forced.flags, 'rm');
  const steps = [emitDockerArgv(createFromRun(forced, !foreground && autoRemove)), ['start', '--', 'CONTAINER']];
  if (foreground) {
    const attach = isSet(forced.flags, 'interactive');
    steps.push(attach ? ['attach', '--', 'CONTAINER'] : ['logs', '--follow', '--', 'CONTAINER'], [
      'wait',
      '--',
      'CONTAINER',
    ]);
    if (autoRemove) steps.push(['rm', '--force', '--volumes', '--', 'CONTAINER']);
  }
  return steps;
}
