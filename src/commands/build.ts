import { Command } from '@oclif/core';
import { runBuild } from '../build/front.js';

export default class Build extends Command {
  static override summary = 'Build an image from an approved Dockerfile: the context is packed as you and streamed to the broker.';
  static override description =
    "Takes docker's own build flags (-t, -f, --build-arg, --target, --no-cache, --pull, -q, --label). The context is any directory you can read, or - (a Dockerfile or a tar on stdin); it is packed as you (.dockerignore applied as docker applies it, symlinks kept as links) and streamed to the broker, Dockerfile first. The broker builds only a Dockerfile whose exact bytes a reviewer approved, and only tags inside the approval's repository (see `cida-docker approval`). Exit code: docker's; 77 when refused; 1 when a file of the context cannot be read.";
  static override examples = [
    '<%= config.bin %> build -t registry.example.internal:5000/team/app:1.0 .',
    '<%= config.bin %> build -f docker/Dockerfile.prod --build-arg VERSION=1.0 -t registry.example.internal:5000/team/app:1.0 ../app',
    "<%= config.bin %> build -t registry.example.internal:5000/team/app:1.0 - < Dockerfile",
  ];
  // Docker's flags are read by the docker parser (pflag semantics), never by oclif.
  static override strict = false;

  async run(): Promise<void> {
    process.exitCode = await runBuild(['build', ...this.argv]);
  }
}
