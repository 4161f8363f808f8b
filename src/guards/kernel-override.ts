import { COMMANDS } from '../docker/flag-table.js';
import { readCsvRecord } from '../docker/values.js';
import { readLikeDocker, shown } from './read-like-docker.js';
import { readNetworkOpt } from './host-namespace.js';
import type { Finding, Rule } from './rule.js';

/** strconv.ParseBool's true spellings: the engine reads `no-new-privileges=<bool>` with it. */
const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];

/**
 * The security options that may pass: no-new-privileges on, in the spellings both the CLI
 * (parseSecurityOpts: `=`, else `:`) and the engine (daemon parseSecurityOpt) read as "on".
 */
export function securityOptAllowed(opt: string): boolean {
  if (opt === 'no-new-privileges') return true;
  const m = /^no-new-privileges[=:](.*)$/.exec(opt);
  return m !== null && TRUE_WORDS.includes(m[1]);
}

const LOG_DRIVERS = ['json-file', 'local'];
/** --log-opt keys the json-file and local drivers take, plus the daemon's own mode/max-buffer-size. */
const LOG_OPT_KEYS = new Set([
  'max-size',
  'max-file',
  'compress',
  'labels',
  'labels-regex',
  'env',
  'env-regex',
  'tag',
  'mode',
  'max-buffer-size',
]);

/** How docker splits one --security-opt value: run's is a ListOpts (one option per flag), build's a stringSlice (CSV). */
function securityOpts(command: string | null, raw: string): string[] | { error: string } {
  const spec = command === null ? undefined : COMMANDS[command]?.flags.find((f) => f.long === 'security-opt');
  if (spec?.type !== 'stringSlice') return [raw];
  if (raw === '') return []; // pflag's readAsCSV: an empty value adds nothing
  const csv = readLikeDocker(raw, readCsvRecord);
  return csv.ok ? csv.value : csv;
}

function securityOptFindings(command: string | null, raw: string): Finding[] {
  const opts = securityOpts(command, raw);
  if (!Array.isArray(opts))
    return [
      { message: `--security-opt ${shown(raw)} cannot be read the way docker reads it (${opts.error}); refused` },
    ];
  return opts
    .filter((o) => !securityOptAllowed(o))
    .map((o) => {
      const what = /^no-new-privileges[=:]/.test(o)
        ? 'would turn no-new-privileges off (or is not a value the engine reads as true)'
        : /^(seccomp|apparmor)[=:]/.test(o)
          ? 'replaces the seccomp/AppArmor profile that confines the container'
          : /^label[=:]|^disable$/.test(o)
            ? 'changes or disables the SELinux label that separates the container'
            : /^systempaths[=:]/.test(o)
              ? "unmasks /proc and /sys paths the kernel's defaults hide"
              : 'is not an option cida-docker allows';
      const part = o === raw ? '' : ` (${shown(o)})`;
      return { message: `--security-opt ${shown(raw)}${part} ${what}; only no-new-privileges (=true) is allowed` };
    });
}

export const rule: Rule = {
  id: 'kernel-override',
  title: 'No kernel or security-profile overrides',
  reason:
    'Security options, sysctls, runtimes, isolation, annotations, checkpoints and log drivers other than json-file/local change how the kernel confines the container or where the engine sends data as root.',
  fix: 'Leave the flag out; --security-opt no-new-privileges and --log-driver json-file or local are allowed.',
  check(cmd) {
    const out: Finding[] = [];
    for (const v of cmd.flags['security-opt'] ?? []) out.push(...securityOptFindings(cmd.command, v));
    for (const v of cmd.flags['log-driver'] ?? []) {
      // "" is the daemon's configured default, the same as leaving the flag out.
      if (v === '' || LOG_DRIVERS.includes(v)) continue;
      out.push({
        message: `--log-driver ${shown(v)}: only json-file and local are allowed (a log driver makes the engine, as root, write the container's output to a socket, file or service of the driver's choosing)`,
        fix: 'Leave out --log-driver, or use --log-driver json-file or local; read the output with cida-docker logs.',
      });
    }
    for (const v of cmd.flags['log-opt'] ?? []) {
      const key = v.split('=', 1)[0];
      if (LOG_OPT_KEYS.has(key)) continue;
      out.push({
        message: `--log-opt ${shown(v)}: ${shown(key)} is not a json-file/local option (options such as syslog-address or fluentd-address point the engine's log writer elsewhere)`,
        fix: `Use only ${[...LOG_OPT_KEYS].join(', ')}.`,
      });
    }
    // `--network name=x,driver-opt=com.docker.network.endpoint.sysctls=…` sets sysctls like --sysctl.
    if (cmd.command !== 'build')
      for (const v of cmd.flags.network ?? []) {
        const r = readNetworkOpt(v);
        if (r.ok && r.value.driverOpts.size > 0)
          out.push({
            message: `--network ${shown(v)}: driver-opt is not allowed (endpoint driver options set interface sysctls and driver internals, like --sysctl)`,
            fix: 'Give the network by name only: --network NAME (with alias=… if needed).',
          });
      }
    return out;
  },
};
