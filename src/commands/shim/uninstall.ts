import { Command, Flags } from '@oclif/core';
import { defaultShimDir, uninstallShim } from '../../setup/shim.js';

export default class ShimUninstall extends Command {
  static override summary = 'Remove the `docker` shim written by `shim install` (never any other `docker`).';
  static override flags = {
    dir: Flags.string({ description: `directory of the shim (default: ${defaultShimDir()})` }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ShimUninstall);
    process.exitCode = uninstallShim(
      { dir: flags.dir, force: false },
      { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    );
  }
}
