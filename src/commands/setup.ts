import { Command, Flags } from '@oclif/core';
import { runSetup } from '../setup/setup.js';

export default class Setup extends Command {
  static override summary =
    'Install the broker, the sudo rule, the policy, the audit log and the port range (as root).';
  static override description = [
    "Idempotent: a second run changes nothing. Installs this package's broker bundle at /usr/local/lib/cida-docker/broker.mjs (root:root 0644), then the launcher",
    'sudo starts, /usr/local/lib/cida-docker/broker (root:root 0755, a short sh script that runs the bundle with the node running setup, in a session of its own),',
    'writes the default policy /etc/cida-docker/policy.json if there is none (never overwrites one), creates the cida-docker group and adds --user NAMEs to it,',
    'creates the audit log /var/log/cida-docker/audit.jsonl (root:root 0640, append-only where supported), sets and persists net.ipv4.ip_local_port_range',
    'from the policy, and last writes /etc/sudoers.d/cida-docker (the broker only, NOPASSWD, env_reset), checked with visudo -cf before it is moved into place.',
    'With --userns-remap it also sets "userns-remap": "default" in /etc/docker/daemon.json and gives the dockremap user subordinate uids and gids:',
    'after an engine restart, root in any container is an unprivileged uid on the host, and the images and containers from before are out of view.',
    'Never prompts. Exit 0 when done, 1 when a step or a precondition fails, 78 when the existing policy is bad.',
  ].join('\n');
  static override examples = [
    'sudo <%= config.bin %> setup --user alice --user jenkins',
    'sudo <%= config.bin %> setup --dry-run',
    'sudo <%= config.bin %> setup --userns-remap',
    'sudo <%= config.bin %> setup --uninstall',
  ];
  static override flags = {
    user: Flags.string({
      description: 'add this user to the cida-docker group (repeatable)',
      multiple: true,
      default: [],
    }),
    'dry-run': Flags.boolean({ description: 'print every change setup would make, change nothing' }),
    uninstall: Flags.boolean({
      description: 'remove the sudo rule, the broker, the group and the port range file (keeps policy and audit log)',
    }),
    'userns-remap': Flags.boolean({
      description:
        "also configure the engine's user-namespace remapping (opt-in; takes effect when the engine restarts)",
    }),
    purge: Flags.boolean({
      description: 'with --uninstall: also remove the policy and the audit log',
      dependsOn: ['uninstall'],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Setup);
    process.exitCode = await runSetup(
      {
        users: flags.user,
        dryRun: flags['dry-run'],
        uninstall: flags.uninstall,
        purge: flags.purge,
        usernsRemap: flags['userns-remap'],
      },
      {
        out: (l) => process.stdout.write(`${l}\n`),
        err: (l) => process.stderr.write(`${l}\n`),
        tty: Boolean(process.stdout.isTTY) && !process.env.CI,
      },
    );
  }
}
