// The oclif command of every docker verb, made from its row in the verb table (src/docker/verbs.ts):
// help text from the table, docker's flags read by the docker parser (pflag semantics), never by
// oclif. The lean entry runs the same code without oclif; this class serves help and the manifest.
import { Command } from '@oclif/core';
import type { Verb } from '../docker/verbs.js';

/** The oclif id of a verb: `container inspect` is `container:inspect` (shown with a space: topicSeparator). */
export function verbCommandId(verb: Verb): string {
  return verb.name.replaceAll(' ', ':');
}

export function dockerVerbCommand(verb: Verb): Command.Class {
  return class extends Command {
    static override summary = verb.summary;
    static override description = `${verb.description} Flags are docker's own (\`cida-docker ${verb.name} --help\` lists them with what this host's policy does with each), checked against this host's policy.`;
    static override examples = verb.examples.map((e) =>
      e.startsWith('CID=') ? e.replace('cida-docker', '<%= config.bin %>') : `<%= config.bin %> ${e}`,
    );
    static override strict = false;

    async run(): Promise<void> {
      // Loaded on demand: the build front end brings listr2 and tar-stream, the others the broker client.
      process.exitCode =
        verb.scope === 'streamed-build'
          ? await (await import('../build/front.js')).runBuild([...verb.name.split(' '), ...this.argv])
          : await (await import('../cli/docker-verb.js')).runDockerVerb([...verb.name.split(' '), ...this.argv]);
    }
  };
}
