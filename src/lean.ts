// The lean entry: runs the hot-path commands (check and the docker verbs) with the same command
// code as their oclif commands, without oclif's start-up (which alone costs about twice a bare
// `node`). bin/run.js falls back to oclif for everything else and for any help request.
type Runner = (argv: readonly string[]) => Promise<number>;

// Loaded on demand (the bundle is split per command), so `check` never pays for what `run` needs.
const HOT: Record<string, () => Promise<Runner>> = {
  check: async () => (await import('./cli/check.js')).runCheck,
};

/** Runs argv on the lean path and returns the exit code, or null when oclif must handle it. */
export async function runLean(argv: readonly string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  const load = command === undefined ? undefined : HOT[command];
  if (!load) return null;
  // Help belongs to oclif, but only where it is cida-docker's own flag, not part of the docker argv.
  const dashdash = rest.indexOf('--');
  const own = dashdash < 0 ? rest : rest.slice(0, dashdash);
  if (own.includes('--help') || (command === 'check' && own.includes('-h'))) return null;
  return (await load())(rest);
}
