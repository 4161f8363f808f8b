// The broker: the root side of cida-docker, started by the only sudo rule as
// `sudo -n /usr/local/lib/cida-docker/broker` with the request in CIDA_DOCKER_REQUEST.
// It trusts its own code, the root-owned policy and sudo's SUDO_UID/SUDO_USER; it re-decides
// everything with the rulebook, runs the canonical argv with a clean environment from '/',
// and writes two audit lines per request: the decision before it acts, the outcome when it ends.
import fs from 'node:fs';
import { EXIT } from '../exit-codes.js';
import { formatUsageError, formatViolations } from '../guards/report.js';
import { UsageError } from '../docker/model.js';
import { decide, type Identity } from '../guards/index.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { loadPolicy } from '../policy/load.js';
import { type Policy, POLICY_PATH, PolicyError } from '../policy/policy.js';
import { approvalRequest, brokerStore } from './approvals.js';
import { brokerBuild } from './build.js';
import {
  AuditTrail,
  type Claims,
  type Decision,
  drainingWriter,
  filterLogStream,
  MAX_AUDIT_LINE_BYTES,
  openAuditLog,
  parseSince,
  redact,
  type Redacted,
  safeNote,
  usageNote,
} from './audit.js';
import { dockerEnv, installSignalHandlers } from './engine.js';
import { type Caller, callerFromEnv, IdentityError, isListed } from './identity.js';
import { type BrokerContext, type Outcome, Stopped } from './outcome.js';
import { AUDIT_LOG_PATH, CONTAINERS_DIR, LOCKS_DIR, REQUEST_ENV } from './paths.js';
import { underCallerLock } from './caller-lock.js';
import { type AuditRequest, type DockerRequest, parseRequest, RequestError } from './request.js';
import { brokerRun } from './run.js';
import { brokerVerb } from './verbs.js';
import { ownershipDir } from './ownership.js';
import { withCallerEnv } from './request-env.js';

function say(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function dockerRequest(
  req: DockerRequest,
  caller: Caller,
  policy: Policy,
  trail: AuditTrail,
  claims: Claims,
): Promise<number> {
  const identity: Identity = { user: caller.user, uid: caller.uid, ciJob: req.ciJob };
  const asked = redact(req.argv);
  const decision = (d: Omit<Decision, 'kind' | 'claims' | 'argv'>): void =>
    trail.decide({ kind: 'docker', claims, argv: asked.argv, ...d, note: safeNote(d.note, [asked]) });
  const end = (exit: number, o: Partial<Outcome> = {}, ran: Redacted | null = null): number => {
    trail.end(
      { exit, ...o, finalArgv: ran?.argv ?? [], note: safeNote(o.note, ran ? [asked, ran] : [asked]) },
      { kind: 'docker', claims, argv: asked.argv, verdict: 'error' },
    );
    return exit;
  };
  let decided;
  try {
    decided = decide(req.argv, policy, identity);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    decision({ verdict: 'usage', note: usageNote(e) });
    say(formatUsageError(e));
    return end(EXIT.usage);
  }
  if (!decided.allowed) {
    decision({ verdict: 'refused', rules: [...new Set(decided.violations.map((v) => v.rule))] });
    say(formatViolations(decided.violations));
    return end(EXIT.refused);
  }
  decision({ verdict: 'allowed' });
  const forced = withForcedFlags(withCallerEnv(decided.parsed, req.env), policy, identity);
  const ctx: BrokerContext = {
    engine: { docker: policy.engine.docker, env: dockerEnv(caller.uid, process.env.TERM) },
    caller,
    policy,
    admin: isListed(caller, policy.admins),
    records: ownershipDir(CONTAINERS_DIR),
    locks: LOCKS_DIR,
    ...(req.auth ? { registryAuth: req.auth } : {}),
    store: brokerStore,
  };
  let outcome: Outcome;
  try {
    if (forced.command === 'run') outcome = await brokerRun(ctx, decided.parsed, forced);
    // start and restart count against the ceiling: the count and the start under the caller's lock, as run's.
    else if ((forced.command === 'start' || forced.command === 'restart') && !ctx.admin)
      outcome = await underCallerLock(ctx, forced.command, (release) =>
        brokerVerb({ ...ctx, started: release }, forced),
      );
    else outcome = await brokerVerb(ctx, forced);
  } catch (e) {
    // A refusal or engine failure from deep inside a verb: already explained on stderr, not a bug.
    if (!(e instanceof Stopped)) throw e;
    outcome = e.outcome;
  }
  return end(outcome.exit, outcome, redact(outcome.finalArgv));
}

async function auditRequest(
  req: AuditRequest,
  caller: Caller,
  policy: Policy,
  trail: AuditTrail,
  claims: Claims,
): Promise<number> {
  const argv = ['audit', ...(req.user ? ['--user', req.user] : []), ...(req.since ? ['--since', req.since] : [])];
  const decision = (verdict: Decision['verdict'], note?: string): void =>
    trail.decide({ kind: 'audit', claims, argv, verdict, ...(note ? { note } : {}) });
  const fallback: Decision = { kind: 'audit', claims, argv, verdict: 'error' };
  if (!isListed(caller, policy.admins) && !isListed(caller, policy.reviewers)) {
    decision('refused', 'not an admin or reviewer');
    say('cida-docker: only administrators and reviewers (policy "admins", "reviewers") may read the audit trail');
    trail.end({ exit: EXIT.refused }, fallback);
    return EXIT.refused;
  }
  let since: Date | undefined;
  try {
    since = req.since === undefined ? undefined : parseSince(req.since);
  } catch (e) {
    decision('usage', 'bad --since');
    say(`cida-docker: ${(e as Error).message}`);
    trail.end({ exit: EXIT.usage }, fallback);
    return EXIT.usage;
  }
  decision('allowed');
  let fd: number;
  try {
    fd = fs.openSync(AUDIT_LOG_PATH, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    trail.end({ exit: EXIT.ok, note: 'no audit log yet' }, fallback);
    return EXIT.ok;
  }
  // Streamed: the log holds every developer's requests; root reads it a chunk at a time.
  const input = fs.createReadStream('', { fd, highWaterMark: 64 * 1024 });
  const stats = await filterLogStream(input, { user: req.user, since }, drainingWriter(process.stdout));
  input.destroy();
  let note: string | undefined;
  if (stats.tooLong > 0) {
    note = `${stats.tooLong} line(s) over ${MAX_AUDIT_LINE_BYTES / 1024 / 1024} MiB skipped`;
    say(`cida-docker: ${note} (no line the broker writes is that long; the log may be damaged)`);
  }
  trail.end({ exit: EXIT.ok, ...(note ? { note } : {}) }, fallback);
  return EXIT.ok;
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
    say(
      `cida-docker broker: cannot open the audit log ${AUDIT_LOG_PATH}: ${(e as Error).message}; nothing runs unaudited. Run \`cida-docker doctor\`.`,
    );
    return EXIT.notSetUp;
  }
  const trail = new AuditTrail(fd, caller, started);
  let req;
  try {
    req = parseRequest(rawRequest);
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    say(`cida-docker broker: ${e.message}`);
    // The request's own fields may be anything: the note says what was wrong, never what was sent.
    trail.decide({ kind: 'docker', claims: {}, argv: [], verdict: 'bad-request', note: 'malformed request' });
    trail.end({ exit: EXIT.usage }, { kind: 'docker', claims: {}, argv: [], verdict: 'bad-request' });
    return EXIT.usage;
  }
  // Where the caller says it is and which CI job it says it runs: claims, recorded as such.
  const ciJob = 'ciJob' in req ? req.ciJob : undefined;
  const claims: Claims = { cwd: req.cwd, ...(ciJob ? { ciJob } : {}) };
  const asked = (): Redacted => redact('argv' in req ? req.argv : []);
  let policy: Policy;
  try {
    policy = loadPolicy(POLICY_PATH, { requireRootOwned: true });
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    say(`cida-docker: bad policy: ${e.message}`);
    const d: Decision = { kind: req.kind, claims, argv: asked().argv, verdict: 'bad-policy', note: e.message };
    trail.decide(d);
    trail.end({ exit: EXIT.badPolicy }, d);
    return EXIT.badPolicy;
  }
  if (req.kind === 'approval') {
    const r = approvalRequest(req, caller, policy);
    trail.end(
      { exit: r.exit, ...(r.approval ? { approval: r.approval } : {}) },
      {
        kind: 'approval',
        claims,
        argv: r.argv,
        verdict: r.verdict,
        rules: r.rules,
        ...(r.note ? { note: r.note } : {}),
      },
    );
    return r.exit;
  }
  if (req.kind === 'build') {
    // A build arrives as a tar on stdin (src/broker/build.ts); root never opens a path for it.
    const asked = redact(req.argv);
    const d = (verdict: Decision['verdict'], rules: readonly string[] = [], note?: string): Decision => ({
      kind: 'docker',
      claims,
      argv: asked.argv,
      verdict,
      rules,
      ...(note ? { note: safeNote(note, [asked]) } : {}),
    });
    try {
      const engine = { docker: policy.engine.docker, env: dockerEnv(caller.uid, process.env.TERM) };
      const r = await brokerBuild(req, {
        engine,
        caller,
        policy,
        store: brokerStore,
        input: process.stdin,
        decided: (v, rules, note) => trail.decide(d(v, rules, note)),
      });
      trail.end(
        {
          exit: r.exit,
          verdict: r.verdict,
          rules: r.rules,
          finalArgv: redact(r.finalArgv).argv,
          ...(r.approval ? { approval: r.approval } : {}),
          note: safeNote(r.note, [asked]),
        },
        d('error'),
      );
      return r.exit;
    } catch (e) {
      say(`cida-docker broker: internal error: ${(e as Error).stack ?? e}`);
      trail.end(
        { exit: EXIT.internal, verdict: 'error', note: safeNote(String((e as Error).message), [asked]) },
        d('error'),
      );
      return EXIT.internal;
    }
  }
  if (req.kind === 'audit') {
    return await auditRequest(req, caller, policy, trail, claims);
  }
  try {
    return await dockerRequest(req, caller, policy, trail, claims);
  } catch (e) {
    say(`cida-docker broker: internal error: ${(e as Error).stack ?? e}`);
    const a = asked();
    trail.end(
      { exit: EXIT.internal, verdict: 'error', note: safeNote(String((e as Error).message), [a]) },
      { kind: req.kind, claims, argv: a.argv, verdict: 'error' },
    );
    return EXIT.internal;
  }
}
