// The broker: the root side of cida-docker, started by the only sudo rule as
// `sudo -n /usr/local/lib/cida-docker/broker` with the request in CIDA_DOCKER_REQUEST.
// It trusts its own code, the root-owned policy and sudo's SUDO_UID/SUDO_USER; it re-decides
// everything with the rulebook, runs the canonical argv with a clean environment from '/',
// and writes one audit line per decision.
import fs from 'node:fs';
import { EXIT } from '../exit-codes.js';
import { formatUsageError, formatViolations } from '../guards/report.js';
import { UsageError } from '../docker/model.js';
import { decide, type Identity } from '../guards/index.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { loadPolicy } from '../policy/load.js';
import { type Policy, POLICY_PATH, PolicyError } from '../policy/policy.js';
import { appendRecord, type AuditRecord, filterLog, openAuditLog, parseSince, redactArgv, redactUnparsed, secretsOf } from './audit.js';
import { dockerEnv, installSignalHandlers } from './engine.js';
import { type Caller, callerFromEnv, IdentityError, isListed } from './identity.js';
import { type BrokerContext, type Outcome } from './outcome.js';
import { AUDIT_LOG_PATH, CONTAINERS_DIR, REQUEST_ENV } from './paths.js';
import { type AuditRequest, type DockerRequest, parseRequest, RequestError } from './request.js';
import { brokerRun } from './run.js';
import { brokerVerb } from './verbs.js';
import { ownershipDir } from './ownership.js';
import { withCallerEnv } from './caller-env.js';


function say(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function dockerRequest(req: DockerRequest, caller: Caller, policy: Policy, base: Omit<AuditRecord, 'argv' | 'verdict' | 'rules' | 'finalArgv' | 'exit' | 'durationMs'>, started: number, fd: number): Promise<number> {
  const identity: Identity = { user: caller.user, uid: caller.uid, ciJob: req.ciJob };
  const record = (argv: readonly string[], o: Outcome): number => {
    appendRecord(fd, { ...base, ...(req.ciJob ? { ciJob: req.ciJob } : {}), argv, verdict: o.verdict, rules: o.rules, finalArgv: o.finalArgv, exit: o.exit, durationMs: Date.now() - started, ...(o.container ? { container: o.container } : {}), ...(o.note ? { note: o.note } : {}) });
    return o.exit;
  };
  let decision;
  try {
    decision = decide(req.argv, policy, identity);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(formatUsageError(e));
    return record(redactUnparsed(req.argv), { exit: EXIT.usage, verdict: 'usage', rules: [], finalArgv: [], note: e.message });
  }
  const forced = withForcedFlags(withCallerEnv(decision.parsed, req.env), policy, identity);
  const secrets = secretsOf(forced);
  const argv = redactArgv(req.argv, secretsOf(decision.parsed));
  if (!decision.allowed) {
    say(formatViolations(decision.violations));
    return record(argv, { exit: EXIT.refused, verdict: 'refused', rules: [...new Set(decision.violations.map((v) => v.rule))], finalArgv: [] });
  }
  const ctx: BrokerContext = {
    engine: { docker: policy.engine.docker, env: dockerEnv(caller.uid, process.env.TERM) },
    caller,
    policy,
    admin: isListed(caller, policy.admins),
    records: ownershipDir(CONTAINERS_DIR),
  };
  const outcome = forced.command === 'run' ? await brokerRun(ctx, decision.parsed, forced) : await brokerVerb(ctx, forced);
  return record(argv, { ...outcome, finalArgv: redactArgv(outcome.finalArgv.length > 0 ? outcome.finalArgv : [], secrets) });
}

function auditRequest(req: AuditRequest, caller: Caller, policy: Policy): { exit: number; note?: string } {
  if (!isListed(caller, policy.admins) && !isListed(caller, policy.reviewers)) {
    say('cida-docker: only administrators and reviewers (policy "admins", "reviewers") may read the audit trail');
    return { exit: EXIT.refused, note: 'not an admin or reviewer' };
  }
  let since: Date | undefined;
  try {
    since = req.since === undefined ? undefined : parseSince(req.since);
  } catch (e) {
    say(`cida-docker: ${(e as Error).message}`);
    return { exit: EXIT.usage, note: 'bad --since' };
  }
  let text = '';
  try {
    text = fs.readFileSync(AUDIT_LOG_PATH, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const lines = filterLog(text, { user: req.user, since }).map((r) => `${JSON.stringify(r)}\n`);
  process.stdout.write(lines.join(''));
  return { exit: EXIT.ok };
}

export async function main(): Promise<number> {
  const started = Date.now();
  installSignalHandlers();
  let caller: Caller;
  try {
    caller = callerFromEnv(process.env, process.getuid?.() ?? -1);
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    say(`cida-docker broker: ${e.message}`);
    return EXIT.notSetUp;
  }
  // Nothing of the caller's place or environment is used from here on.
  process.chdir('/');
  process.umask(0o027);
  const rawRequest = process.env[REQUEST_ENV];
  const term = process.env.TERM;
  for (const k of Object.keys(process.env)) delete process.env[k];
  if (term !== undefined) process.env.TERM = term;

  let fd: number;
  try {
    fd = openAuditLog(AUDIT_LOG_PATH);
  } catch (e) {
    say(`cida-docker broker: cannot open the audit log ${AUDIT_LOG_PATH}: ${(e as Error).message}; nothing runs unaudited. Run \`cida-docker doctor\`.`);
    return EXIT.notSetUp;
  }
  const base = { time: new Date(started).toISOString(), uid: caller.uid, user: caller.user, cwd: '', kind: 'docker' as const };
  let req;
  try {
    req = parseRequest(rawRequest);
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    say(`cida-docker broker: ${e.message}`);
    appendRecord(fd, { ...base, argv: [], verdict: 'bad-request', rules: [], finalArgv: [], exit: EXIT.usage, durationMs: Date.now() - started, note: e.message });
    return EXIT.usage;
  }
  const withCwd = { ...base, cwd: req.cwd, kind: req.kind };
  let policy: Policy;
  try {
    policy = loadPolicy(POLICY_PATH, { requireRootOwned: true });
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    say(`cida-docker: bad policy: ${e.message}`);
    const argv = req.kind === 'docker' ? redactUnparsed(req.argv) : [];
    appendRecord(fd, { ...withCwd, argv, verdict: 'bad-policy', rules: [], finalArgv: [], exit: EXIT.badPolicy, durationMs: Date.now() - started, note: e.message });
    return EXIT.badPolicy;
  }
  if (req.kind === 'audit') {
    const r = auditRequest(req, caller, policy);
    const argv = ['audit', ...(req.user ? ['--user', req.user] : []), ...(req.since ? ['--since', req.since] : [])];
    appendRecord(fd, { ...withCwd, argv, verdict: r.exit === EXIT.ok ? 'allowed' : r.exit === EXIT.refused ? 'refused' : 'usage', rules: [], finalArgv: [], exit: r.exit, durationMs: Date.now() - started, ...(r.note ? { note: r.note } : {}) });
    return r.exit;
  }
  try {
    return await dockerRequest(req, caller, policy, withCwd, started, fd);
  } catch (e) {
    say(`cida-docker broker: internal error: ${(e as Error).stack ?? e}`);
    appendRecord(fd, { ...withCwd, argv: redactUnparsed(req.argv), verdict: 'error', rules: [], finalArgv: [], exit: EXIT.internal, durationMs: Date.now() - started, note: String((e as Error).message) });
    return EXIT.internal;
  }
}

