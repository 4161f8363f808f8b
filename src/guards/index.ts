// The rulebook's registry and the one decision both halves make: parse a docker argv, check it
// against every rule, and build the canonical argv that may reach the engine.
import { emitDockerArgv } from '../docker/emit.js';
import { COMMANDS, GLOBAL_FLAGS } from '../docker/flag-table.js';
import type { FlagSpec, ParsedCommand } from '../docker/model.js';
import { parseDockerArgv } from '../docker/parse.js';
import type { Policy } from '../policy/policy.js';
import { FLAG_CLASSES, GLOBAL_FLAG_CLASSES, type FlagClass, type SupportedCommand } from './flag-classes.js';
import { finalSteps } from './final-argv.js';
import { type Identity, withForcedFlags } from './forced-flags.js';
import type { Rule, Violation } from './rule.js';
import { rule as buildContext } from './build-context.js';
import { rule as capabilitiesDevices } from './capabilities-devices.js';
import { rule as detachedService } from './detached-service.js';
import { rule as engineOverride } from './engine-override.js';
import { rule as hostFiles } from './host-files.js';
import { rule as hostMount } from './host-mount.js';
import { rule as hostNamespace } from './host-namespace.js';
import { rule as kernelOverride } from './kernel-override.js';
import { rule as privileged } from './privileged.js';
import { rule as publishedPorts } from './published-ports.js';
import { rule as reservedLabel } from './reserved-label.js';
import { rule as resourceLimits } from './resource-limits.js';
import { rule as rootUser } from './root-user.js';
import { rule as supportedCommand } from './supported-command.js';
import { rule as trustedImage } from './trusted-image.js';
import { rule as unclassifiedFlag } from './unclassified-flag.js';

export type { Violation } from './rule.js';
export type { Identity } from './forced-flags.js';

/** Every rule, in the order their violations are reported. */
export const RULES: readonly Rule[] = [
  supportedCommand,
  unclassifiedFlag,
  engineOverride,
  hostMount,
  privileged,
  hostNamespace,
  capabilitiesDevices,
  kernelOverride,
  resourceLimits,
  rootUser,
  publishedPorts,
  detachedService,
  hostFiles,
  buildContext,
  trustedImage,
  reservedLabel,
];

const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule {
  const r = RULES_BY_ID.get(id);
  if (!r) throw new Error(`no rule with id ${id}`);
  return r;
}

/** How a flag reads in messages: `-v/--volume`, so the user finds what they typed. */
function flagName(name: string, specs: readonly FlagSpec[]): string {
  const short = specs.find((f) => f.long === name)?.short;
  return short ? `-${short}/--${name}` : `--${name}`;
}

function flagViolations(
  values: ParsedCommand['flags'],
  classes: Readonly<Record<string, FlagClass>>,
  specs: readonly FlagSpec[],
  prefix: string,
): Violation[] {
  const out: Violation[] = [];
  for (const name of Object.keys(values)) {
    const cls = classes[name];
    if (cls === undefined) {
      const r = ruleById('unclassified-flag');
      out.push({
        rule: r.id,
        message: `${prefix}${flagName(name, specs)} has not been reviewed for cida-docker`,
        fix: r.fix,
      });
    } else if (typeof cls === 'object' && 'refuse' in cls) {
      const r = ruleById(cls.refuse);
      out.push({ rule: r.id, message: `${prefix}${flagName(name, specs)} is not allowed: ${r.reason}`, fix: r.fix });
    }
  }
  return out;
}

/** Every violation of `cmd` against the rulebook; empty when the command may run. */
export function checkCommand(cmd: ParsedCommand, policy: Policy): Violation[] {
  const out = flagViolations(cmd.globals, GLOBAL_FLAG_CLASSES, GLOBAL_FLAGS, 'global flag ');
  const classes = cmd.command === null ? undefined : FLAG_CLASSES[cmd.command as SupportedCommand];
  if (classes) out.push(...flagViolations(cmd.flags, classes, COMMANDS[cmd.command as string].flags, ''));
  for (const r of RULES) {
    // Rules other than supported-command only see commands they can understand.
    if (!r.check || (classes === undefined && r !== supportedCommand)) continue;
    for (const f of r.check(cmd, policy)) out.push({ rule: r.id, message: f.message, fix: f.fix ?? r.fix });
  }
  return out;
}

export interface Decision {
  readonly allowed: boolean;
  readonly violations: readonly Violation[];
  readonly parsed: ParsedCommand;
  /** The canonical docker argv (after the program name) the command amounts to; empty when refused. */
  readonly argv: readonly string[];
  /** The docker argvs the broker actually runs, in order (finalSteps); empty when refused. */
  readonly steps: readonly (readonly string[])[];
}

/** Parses, checks and builds the final argv. Throws UsageError for what docker would reject. */
export function decide(argv: readonly string[], policy: Policy, identity?: Identity): Decision {
  const parsed = parseDockerArgv(argv);
  const violations = checkCommand(parsed, policy);
  if (violations.length > 0) return { allowed: false, violations, parsed, argv: [], steps: [] };
  const forced = withForcedFlags(parsed, policy, identity);
  return { allowed: true, violations, parsed, argv: emitDockerArgv(forced), steps: finalSteps(forced, parsed) };
}
