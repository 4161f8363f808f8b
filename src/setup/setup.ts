// `cida-docker setup [--user NAME…] [--dry-run]` and `setup --uninstall [--purge]`: what the
// command does, apart from oclif. Returns the exit code.
import { BROKER_GROUP, BROKER_PATH } from '../broker/paths.js';
import { prepareInstall, prepareUninstall } from './install.js';
import { SetupError } from './plan.js';
import { runSteps } from './runner.js';

export interface SetupFlags {
  readonly users: readonly string[];
  readonly dryRun: boolean;
  readonly uninstall: boolean;
  readonly purge: boolean;
  /** Also configure the engine's user-namespace remapping (opt-in). */
  readonly usernsRemap?: boolean;
  /** Overrides for tests: the broker bundle and the node its #! line names. */
  readonly brokerFile?: string;
  readonly node?: string;
}

export interface SetupIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly tty: boolean;
}

export async function runSetup(flags: SetupFlags, io: SetupIo): Promise<number> {
  if (flags.purge && !flags.uninstall) {
    io.err('cida-docker setup: --purge goes with --uninstall');
    return 2;
  }
  if (flags.uninstall && flags.usernsRemap) {
    io.err(
      `cida-docker setup: --userns-remap goes with an install; to turn remapping off, remove "userns-remap" from /etc/docker/daemon.json and restart the engine`,
    );
    return 2;
  }
  if (flags.uninstall && flags.users.length > 0) {
    io.err('cida-docker setup: --user goes with an install, not --uninstall');
    return 2;
  }
  const started = Date.now();
  try {
    if (flags.uninstall) {
      const steps = prepareUninstall({ purge: flags.purge, dryRun: flags.dryRun });
      io.out(
        `cida-docker setup --uninstall${flags.purge ? ' --purge' : ''}${flags.dryRun ? ' (dry run: nothing is changed)' : ''}`,
      );
      const r = await runSteps(steps, { dryRun: flags.dryRun, tty: io.tty, write: io.out });
      io.out(summary(r.changes, flags.dryRun, started));
      return 0;
    }
    const prepared = prepareInstall({
      users: flags.users,
      dryRun: flags.dryRun,
      brokerFile: flags.brokerFile,
      node: flags.node,
      usernsRemap: flags.usernsRemap,
    });
    io.out(`cida-docker setup${flags.dryRun ? ' (dry run: nothing is changed)' : ''}`);
    for (const n of prepared.notes) io.out(`· ${n}`);
    const r = await runSteps(prepared.steps, { dryRun: flags.dryRun, tty: io.tty, write: io.out });
    for (const w of r.warnings) io.err(`warning: ${w}`);
    io.out(summary(r.changes, flags.dryRun, started));
    if (!flags.dryRun) {
      io.out(
        `Members of ${BROKER_GROUP} may now run \`sudo -n ${BROKER_PATH}\` (through cida-docker) and nothing else;`,
      );
      io.out(`new members must log in again. Check with \`cida-docker doctor\` as a developer.`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    io.err(`cida-docker setup: ${e.message}`);
    if (!flags.dryRun)
      io.err(
        'Steps after the failing one were not run. Fix it and run setup again: it is idempotent (--dry-run shows what it would change).',
      );
    return e.exitCode;
  }
}

function summary(changes: number, dryRun: boolean, started: number): string {
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (dryRun)
    return changes === 0 ? 'nothing would change' : `${changes} change${changes === 1 ? '' : 's'} would be made`;
  return changes === 0
    ? `nothing to change (${secs} s)`
    : `${changes} change${changes === 1 ? '' : 's'} made (${secs} s)`;
}
