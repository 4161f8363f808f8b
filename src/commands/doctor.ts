import { Command, Flags } from '@oclif/core';
import { doctor, formatReport } from '../setup/doctor.js';

export default class Doctor extends Command {
  static override summary = 'Check that this host is set up for cida-docker, with the fix for each problem.';
  static override description = [
    'Checks the broker, the sudo rule, your access to the broker, the policy, the engine, the docker client, that you are not in the docker group,',
    'the port range, the audit log and whether the engine remaps container users (user namespaces). Run as a developer it checks your own access (what only root can see is skipped and says so);',
    'as root it checks everything, for --user NAME or the user who ran sudo.',
    'Exit 0 when all is well, 69 when the broker or the sudo rule is not usable, 1 for any other problem.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --json',
    'sudo <%= config.bin %> doctor --user jenkins',
  ];
  static override flags = {
    json: Flags.boolean({
      description: 'print one JSON object {ok, exitCode, user, asRoot, checks: [{id, title, status, detail, fix}]}',
    }),
    user: Flags.string({ description: "as root: check this user's access (default: the user who ran sudo)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const report = doctor({ user: flags.user });
    process.stdout.write(`${flags.json ? JSON.stringify(report) : formatReport(report)}\n`);
    process.exitCode = report.exitCode;
  }
}
