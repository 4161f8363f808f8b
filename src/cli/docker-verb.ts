// The docker verbs of the front end (`cida-docker run/ps/logs/…`, `-v`): refuse a caller
// environment that points at another engine, check early with the same rulebook for a fast and
// friendly answer, then hand the argv to the broker, which decides again and runs docker. Refusals
// and usage errors go to the broker too, so that the audit trail records them: it explains them.
import fs from 'node:fs';
import os from 'node:os';
import tty from 'node:tty';
import { isSet, lastValue, UsageError } from '../docker/model.js';
import { PIPED_STDIN } from '../guards/detached-service.js';
import { decide } from '../guards/index.js';
import { readablePolicy } from '../policy/load.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { BROKER_PATH } from '../broker/paths.js';
import { callBroker } from './broker-client.js';
import { ownVersion } from './own-version.js';
import { callerEnvProblem, ciJobOf } from './caller-env.js';
import { authFromDockerConfig } from './registry-auth.js';
import { EXIT } from '../exit-codes.js';
import { formatUsageError, formatViolations } from '../guards/report.js';

/** Values for `-e NAME` entries without '=': the broker cannot see the developer's environment. */
function envFor(names: readonly string[] | undefined): Record<string, string> | undefined {
  const wanted = (names ?? []).filter((v) => !v.includes('='));
  if (wanted.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of wanted)
    if (process.env[k] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out[k] = process.env[k] as string;
  return out;
}

/** Runs one docker command line (after the program name) through the broker; the exit code. */
export async function runDockerVerb(argv: readonly string[]): Promise<number> {
  // `login -p PASSWORD`: take the password out of this process's command line (ps) at once.
  if (argv.includes('login')) process.title = 'cida-docker login';
  const envProblem = callerEnvProblem(process.env);
  if (envProblem !== null) {
    process.stderr.write(`${envProblem}\n`);
    return EXIT.usage;
  }
  const me = os.userInfo();
  const ciJob = ciJobOf(process.env);
  let env: Record<string, string> | undefined;
  let auth: { registry: string; auth: string } | undefined;
  const policy = readablePolicy();
  try {
    // Without a readable policy the early check still catches usage errors; the broker decides the rest.
    const decision = decide(argv, policy ?? DEFAULT_POLICY, { user: me.username, uid: me.uid, ciJob });
    if (policy !== null && !decision.allowed) {
      // Refusals are decisions the audit trail must show: the broker records and explains it.
      // Only when it cannot be reached does the front end explain it alone.
      const { code } = await callBroker({ v: 1, kind: 'docker', argv: [...argv], cwd: process.cwd(), ciJob });
      if (code !== EXIT.notSetUp) return code;
      process.stderr.write(`${formatViolations(decision.violations)}\n`);
      return EXIT.refused;
    }
    const p = decision.parsed;
    if (p.command === 'run' && isSet(p.flags, 'interactive') && !isSet(p.flags, 'detach') && !tty.isatty(0)) {
      process.stderr.write(`${formatViolations([PIPED_STDIN])}\n`);
      return EXIT.refused;
    }
    if (p.command === 'run' || p.command === 'exec') env = envFor(p.flags.env);
    // Jenkins' per-block DOCKER_CONFIG login: that registry's entry only, for this push or pull (registry-auth.ts).
    auth = authFromDockerConfig(p, process.env);
    // `cida-docker version`: the wrapper's version first, unless a --format asks for docker's fields only.
    if (p.command === 'version' && lastValue(p.flags, 'format') === undefined && !isSet(p.flags, 'help'))
      process.stdout.write(`cida-docker:\n Version:           ${ownVersion()}\n Broker:            ${BROKER_PATH}\n\n`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Usage errors are requests the audit trail must show too: the broker parses the argv again,
    // prints the same message and records it. Only without a broker does the front end answer alone.
    if (fs.existsSync(BROKER_PATH)) {
      const { code } = await callBroker({ v: 1, kind: 'docker', argv: [...argv], cwd: process.cwd(), ciJob });
      if (code !== EXIT.notSetUp) return code;
    }
    process.stderr.write(`${formatUsageError(e)}\n`);
    return EXIT.usage;
  }
  const { code } = await callBroker({
    v: 1,
    kind: 'docker',
    argv: [...argv],
    cwd: process.cwd(),
    ciJob,
    ...(env ? { env } : {}),
    ...(auth ? { auth } : {}),
  });
  return code;
}
