// The lean entry: runs the hot-path commands (check and the docker verbs) with the same command
// code as their oclif commands, without oclif's start-up (which alone costs about twice a bare
// `node`). bin/run.js falls back to oclif for everything else and for any help request.
import { VERBS } from './docker/verbs.js';

/**
 * docker's management commands that hold a supported verb (`container inspect`, `image ls`, `system
 * info`, `builder build`): the docker parser resolves the sub-command (one docker does not have gets
 * docker's own error). lean.test.ts keeps this list equal to the flag table's.
 */
export const MANAGEMENT_COMMANDS: ReadonlySet<string> = new Set(['builder', 'container', 'image', 'system']);

type Runner = (argv: readonly string[]) => Promise<number>;

const HELP: ReadonlySet<string> = new Set(['--help', '-h']);

// Loaded on demand (the bundle is split per command), so `check` never pays for what the verbs need.
const dockerVerb = async (argv: readonly string[]): Promise<number> =>
  (await import('./cli/docker-verb.js')).runDockerVerb(argv);

const HOT: Record<string, Runner> = {
  check: async (rest) => (await import('./cli/check.js')).runCheck(rest),
  audit: async (rest) => (await import('./cli/audit.js')).runAudit(rest),
  lint: async (rest) => (await import('./cli/lint.js')).runLint(rest),
  // Every one-word docker verb of the verb table; build packs the context as the developer and streams it (src/build).
  ...Object.fromEntries(
    VERBS.filter((v) => !v.name.includes(' ')).map((v): [string, Runner] => [
      v.name,
      v.scope === 'streamed-build'
        ? async (rest) => (await import('./build/front.js')).runBuild([v.name, ...rest])
        : (rest) => dockerVerb([v.name, ...rest]),
    ]),
  ),
  // `cida-docker -v` / `--version` print docker's own version line (Jenkins parses it).
  '-v': (rest) => dockerVerb(['--version', ...rest]),
  '--version': (rest) => dockerVerb(['--version', ...rest]),
};

/** The canonical docker command `argv` names (`image build` → build), or null for a usage error. */
async function canonicalCommand(argv: readonly string[]): Promise<string | null> {
  const { parseDockerArgv } = await import('./docker/parse.js');
  try {
    return parseDockerArgv(argv).command;
  } catch {
    return null; // the docker verb path reports it (and the broker audits it)
  }
}

/** Runs argv on the lean path and returns the exit code, or null when oclif must handle it. */
export async function runLean(argv: readonly string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  // `remove` is docker's top-level alias of rm.
  if (command === 'remove') return dockerVerb(argv);
  // docker's global flags before the command (`docker -D ps`, `docker --log-level debug build .`
  // through the shim): the docker parser reads them, and the rules refuse those that would point at
  // another engine or client configuration. Our own -v/--version and help stay ours.
  if (command !== undefined && command.startsWith('-') && !Object.hasOwn(HOT, command) && !HELP.has(command)) {
    if ((argv.includes('build') || argv.includes('builder')) && (await canonicalCommand(argv)) === 'build')
      return (await import('./build/front.js')).runBuild(argv);
    return dockerVerb(argv);
  }
  // A management command alone or with a flag (`image --help`) is oclif's topic help.
  if (command !== undefined && MANAGEMENT_COMMANDS.has(command) && rest.length > 0 && !rest[0].startsWith('-')) {
    if (rest[1] === '--help') {
      // The verb's own help: a row of the table (`container inspect`) or docker's other spelling of one (`image build`).
      const name = VERBS.find((v) => v.name === `${command} ${rest[0]}`)?.name ?? (await canonicalCommand(argv));
      const text = name === null ? null : (await import('./cli/verb-help.js')).verbHelp(name);
      if (text !== null) {
        process.stdout.write(text);
        return 0;
      }
    }
    if (rest[0] === 'build') return (await import('./build/front.js')).runBuild(argv);
    return dockerVerb(argv);
  }
  const run = command === undefined || !Object.hasOwn(HOT, command) ? undefined : HOT[command];
  if (!run) return null;
  if (command === 'lint') {
    if (rest.includes('--help') || rest.includes('-h')) return null;
  } else if (command === 'check' || command === 'audit') {
    // Help belongs to oclif, but only where it is cida-docker's own flag, not part of the docker argv.
    const dashdash = rest.indexOf('--');
    const own = dashdash < 0 ? rest : rest.slice(0, dashdash);
    if (own.includes('--help') || own.includes('-h')) return null;
  } else if (rest[0] === '--help') {
    // `cida-docker run --help`: docker's flags for the verb, marked with what the policy does with
    // them. Anywhere else --help belongs to docker or to the container's command, and `-h` is
    // docker's --hostname for run/exec.
    const text = (await import('./cli/verb-help.js')).verbHelp(command);
    if (text === null) return null;
    process.stdout.write(text);
    return 0;
  }
  return run(rest);
}
