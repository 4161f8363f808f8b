// The early check of the docker verbs that need the front end (see NEEDS_FRONT_END in
// docker-verb.ts), and the explanation of any verb's refusal or usage error when no broker answers.
// It checks with the same rulebook as the broker, for a fast and friendly answer and for what only
// this side can read (the developer's environment, a Jenkins login); the broker decides again.
// Refusals and usage errors still go to the broker, so that the audit trail records them.
import fs from 'node:fs';
import os from 'node:os';
import tty from 'node:tty';
import { BROKER_PATH } from '../broker/paths.js';
import type { DockerRequest } from '../broker/request.js';
import { isSet, lastValue, UsageError } from '../docker/model.js';
import { EXIT } from '../exit-codes.js';
import { PIPED_STDIN } from '../guards/detached-service.js';
import { decide } from '../guards/index.js';
import { formatUsageError, formatViolations } from '../guards/report.js';
import { readablePolicy } from '../policy/load.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { callBroker } from './broker-client.js';
import { ownVersion } from './own-version.js';
import { authFromDockerConfig } from './registry-auth.js';

/** Values for `-e NAME` entries without '=': the broker cannot see the developer's environment. */
function envFor(names: readonly string[] | undefined): Record<string, string> | undefined {
  const wanted = (names ?? []).filter((v) => !v.includes('='));
  if (wanted.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of wanted)
    if (process.env[k] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out[k] = process.env[k] as string;
  return out;
}

/** Without a broker: the usage error (2) or the refusal (77) the broker would have explained, or null. */
export function explainAlone({ argv, ciJob }: DockerRequest): number | null {
  const policy = readablePolicy();
  const me = os.userInfo();
  try {
    const decision = decide(argv, policy ?? DEFAULT_POLICY, { user: me.username, uid: me.uid, ciJob });
    if (policy === null || decision.allowed) return null;
    process.stderr.write(`${formatViolations(decision.violations)}\n`);
    return EXIT.refused;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${formatUsageError(e)}\n`);
    return EXIT.usage;
  }
}

/**
 * A refusal or a usage error: a request the audit trail must show, so the broker records and
 * explains it. Only when no broker answers is it explained here alone.
 */
async function refer(request: DockerRequest): Promise<number> {
  if (fs.existsSync(BROKER_PATH)) {
    const { code } = await callBroker(request);
    if (code !== EXIT.notSetUp) return code;
  }
  return explainAlone(request) ?? EXIT.notSetUp;
}

/** Checks `request` here first, adds what only the front end can read, then calls the broker; the exit code. */
export async function checkThenCallBroker(request: DockerRequest): Promise<number> {
  const { argv, ciJob } = request;
  const me = os.userInfo();
  let env: Record<string, string> | undefined;
  let auth: { registry: string; auth: string } | undefined;
  const policy = readablePolicy();
  try {
    // Without a readable policy the early check still catches usage errors; the broker decides the rest.
    const decision = decide(argv, policy ?? DEFAULT_POLICY, { user: me.username, uid: me.uid, ciJob });
    if (policy !== null && !decision.allowed) return refer(request);
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
    return refer(request);
  }
  const { code } = await callBroker({
    ...request,
    ...(env ? { env } : {}),
    ...(auth ? { auth } : {}),
  });
  return code;
}
