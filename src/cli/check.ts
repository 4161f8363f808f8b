// `cida-docker check [--json] [--policy FILE] -- <docker args…>`: the verdict and the exact docker
// argv that would run, without running anything.
import os from 'node:os';
import { UsageError } from '../docker/model.js';
import { storeCaveats } from '../build/caveats.js';
import { decide } from '../guards/index.js';
import { loadPolicy } from '../policy/load.js';
import { POLICY_PATH, PolicyError } from '../policy/policy.js';
import { EXIT } from '../exit-codes.js';
import { OwnFlagError, type OwnFlagSpec, parseOwnFlags } from './own-flags.js';
import { formatUsageError, formatViolations } from '../guards/report.js';

export const CHECK_FLAGS: OwnFlagSpec = [
  { name: 'json', takesValue: false, description: 'print the verdict as one JSON object {allowed, violations, argv}' },
  { name: 'policy', takesValue: true, description: 'policy file to check against', default: POLICY_PATH },
];

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

export async function runCheck(argv: readonly string[]): Promise<number> {
  let own;
  try {
    own = parseOwnFlags(argv, CHECK_FLAGS);
  } catch (e) {
    if (!(e instanceof OwnFlagError)) throw e;
    write(process.stderr, `cida-docker check: ${e.message}\nSee 'cida-docker check --help'.`);
    return EXIT.usage;
  }
  const json = own.booleans.has('json');
  const policyFile = own.values.get('policy') ?? POLICY_PATH;
  try {
    const policy = loadPolicy(policyFile);
    const me = os.userInfo();
    const decision = decide(own.rest, policy, { user: me.username, uid: me.uid });
    if (json) {
      const caveats = decision.allowed ? storeCaveats(decision.parsed, policy) : [];
      write(
        process.stdout,
        JSON.stringify({
          allowed: decision.allowed,
          violations: decision.violations,
          argv: decision.argv,
          steps: decision.steps,
          caveats,
          docker: policy.engine.docker,
        }),
      );
    } else if (decision.allowed) {
      write(process.stdout, `allowed: ${[policy.engine.docker, ...decision.argv].map(shellQuote).join(' ')}`);
      if (decision.steps.length > 1) {
        const lines = decision.steps.map(
          (s, i) => `  ${i + 1}. ${[policy.engine.docker, ...s].map(shellQuote).join(' ')}`,
        );
        write(
          process.stdout,
          `what runs (CONTAINER: the id create prints; a USER name is pinned as --user UID:GID read from the image):\n${lines.join('\n')}`,
        );
      }
      for (const c of storeCaveats(decision.parsed, policy)) write(process.stdout, `note: ${c}`);
    } else {
      write(process.stdout, formatViolations(decision.violations));
    }
    return decision.allowed ? EXIT.ok : EXIT.refused;
  } catch (e) {
    if (e instanceof UsageError) {
      if (json)
        write(
          process.stdout,
          JSON.stringify({ allowed: false, violations: [], argv: [], error: { kind: 'usage', message: e.message } }),
        );
      write(process.stderr, formatUsageError(e));
      return EXIT.usage;
    }
    if (e instanceof PolicyError) {
      if (json)
        write(
          process.stdout,
          JSON.stringify({ allowed: false, violations: [], argv: [], error: { kind: 'policy', message: e.message } }),
        );
      write(process.stderr, `cida-docker: bad policy: ${e.message}`);
      return EXIT.badPolicy;
    }
    throw e;
  }
}

/** Quotes an argument for display the way a POSIX shell would need it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
