import { Command, Flags } from '@oclif/core';
import { defaultShimDir, installShim } from '../../setup/shim.js';

export default class ShimInstall extends Command {
  static override summary =
    'Write a `docker` executable that runs cida-docker, for Makefiles and Jenkins (which never see aliases).';
  static override description = [
    'Writes DIR/docker (default ~/.local/bin, or /usr/local/bin for root): a two-line sh script that execs this cida-docker with its arguments.',
    'Refuses to overwrite a `docker` that is not a cida-docker shim unless --force, and never replaces the docker client the broker runs.',
    'In interactive shells `alias docker=cida-docker` does the same.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> shim install',
    '<%= config.bin %> shim install --dir "$WORKSPACE/bin"  # Jenkins: PATH+CIDA=$WORKSPACE/bin',
  ];
  static override flags = {
    dir: Flags.string({ description: `directory for the shim (default: ${defaultShimDir()})` }),
    force: Flags.boolean({ description: 'replace a `docker` there that is not a cida-docker shim' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ShimInstall);
    process.exitCode = installShim(
      { dir: flags.dir, force: flags.force },
      { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    );
  }
}
