// `build`, as the broker carries it out. The context arrives as a tar on the broker's stdin, packed
// by the front end as the developer (root never opens a path the developer named); the Dockerfile
// is its first entry. The broker:
//   1. re-decides the argv with the rulebook (tags in the trusted registry, no cida.* labels…);
//   2. reads the Dockerfile entry (at most 1 MiB), hashes it, and refuses unless that sha256 is
//      approved (not pending, rejected or revoked) and every -t lies in the approval's repository;
//   3. re-runs the Dockerfile rules with the build's real --build-arg values (a build-arg must not
//      turn an approved base into an untrusted one); BUILDKIT_SYNTAX as a build-arg is refused;
//   4. pipes the same bytes on to `docker build -f <entry> -` as they arrive (nothing held in memory
//      or on disk), every later entry checked by the stream reader, all of it counted against
//      build.maxContextBytes; on any violation docker is killed before the tar's end: no image;
//   5. adds the cida.builder / cida.approval / cida.dockerfile.sha256 labels, runs the build on its
//      own bridge network (cida-build) with the policy's memory ceiling, and records the image id
//      (from --iidfile in a directory the broker itself creates, root-only) in the store.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { lintDockerfile } from '../dockerfile/index.js';
import { emitDockerArgv } from '../docker/emit.js';
import { lastValue, type ParsedCommand, UsageError } from '../docker/model.js';
import { isFromRegistry, parseAnyReference, parseImageReference, isImageId } from '../docker/reference.js';
import { EXIT } from '../exit-codes.js';
import { decide, type Violation } from '../guards/index.js';
import { formatUsageError, formatViolations } from '../guards/report.js';
import type { Policy } from '../policy/policy.js';
import { openContextStream, StreamRefused } from './build-stream.js';
import type { BuildRequest } from './build-request.js';
import { capture, type Engine, onSignals } from './engine.js';
import type { Caller } from './identity.js';

export const BUILDER_LABEL = 'cida.builder';
export const APPROVAL_LABEL = 'cida.approval';
export const SHA_LABEL = 'cida.dockerfile.sha256';
/** The bridge network every build's RUN steps use (never the one services run on). */
export const BUILD_NETWORK = 'cida-build';

/** An approval as the broker's build, run and publish code read it (src/approvals/store.ts Approval has these). */
export interface ApprovalView {
  readonly id: string;
  readonly sha256: string;
  readonly repository: string;
  readonly state: string;
  readonly history: readonly {
    readonly action: string;
    readonly reason?: string;
    readonly by: { readonly user: string };
  }[];
}

/** What the build needs of the approvals store (src/approvals/store.ts ApprovalStore has these). */
export interface ApprovalLookup {
  approvalFor(sha256: string): ApprovalView | undefined;
  recordBuild(b: {
    imageId: string;
    builder: { user: string; uid: number };
    approvalId: string;
    sha256: string;
    tags: readonly string[];
  }): unknown;
  provenanceOf(imageId: string):
    | {
        readonly builds: readonly {
          readonly sha256: string;
          readonly approvalId: string;
          readonly builder?: { readonly user: string; readonly uid: number };
        }[];
      }
    | undefined;
}

export interface BuildResult {
  readonly exit: number;
  readonly verdict: 'allowed' | 'refused' | 'usage' | 'error';
  readonly rules: readonly string[];
  /** The docker argv that ran (not redacted), empty when nothing ran. */
  readonly finalArgv: readonly string[];
  readonly approval?: string;
  readonly image?: string;
  readonly note?: string;
}

export interface BuildDeps {
  readonly engine: Engine;
  readonly caller: Caller;
  readonly policy: Policy;
  readonly store: () => ApprovalLookup;
  /** The tar, as it arrives (the broker's stdin). */
  readonly input: AsyncIterable<Buffer>;
  /** Called once the decision is known, before anything runs (the audit trail's decision line). */
  readonly decided?: (verdict: BuildResult['verdict'], rules: readonly string[], note?: string) => void;
}

function say(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

const HOW_TO_REQUEST = (file: string, repo: string): string =>
  `Ask for an approval of this exact Dockerfile: \`cida-docker approval request -f ${file} --repo ${repo}\`, then have a reviewer approve it (\`cida-docker approval list\` shows where it stands).`;

/** Build args the way the docker CLI sends them: K=V as given; a bare K only when the front end filled it in. */
export function buildArgsOf(cmd: ParsedCommand): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of cmd.flags['build-arg'] ?? []) {
    const eq = v.indexOf('=');
    if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** The docker argv the broker runs for an allowed build. */
export function finalBuildArgv(
  parsed: ParsedCommand,
  dockerfile: string,
  labels: readonly string[],
  iidfile: string,
  policy: Policy,
): string[] {
  const flags: Record<string, string[]> = { ...parsed.flags };
  flags.file = [dockerfile];
  flags.iidfile = [iidfile];
  flags.label = [...(flags.label ?? []), ...labels];
  // A bare --build-arg NAME would be read from root's (empty) environment: the front end sends NAME=value.
  if (flags['build-arg']) flags['build-arg'] = flags['build-arg'].filter((v) => v.indexOf('=') > 0);
  if (flags['build-arg']?.length === 0) delete flags['build-arg'];
  const network = lastValue(flags, 'network');
  if (network !== 'none') flags.network = [BUILD_NETWORK];
  const memory = (policy.run as { memory?: string }).memory;
  if (memory !== undefined && memory !== '' && flags.memory === undefined) {
    flags.memory = [memory];
    if (flags['memory-swap'] === undefined) flags['memory-swap'] = [memory];
  }
  delete flags.help;
  return emitDockerArgv({ ...parsed, flags, args: ['-'] });
}

async function ensureNetwork(engine: Engine): Promise<void> {
  const r = await capture(engine, ['network', 'inspect', '--format', '{{.Driver}}', BUILD_NETWORK]);
  if (r.code === 0) return;
  const c = await capture(engine, [
    'network',
    'create',
    '--driver',
    'bridge',
    '--label',
    'cida.network=build',
    BUILD_NETWORK,
  ]);
  if (c.code !== 0 && !/already exists/.test(c.stderr))
    throw new Error(`cannot create the build network ${BUILD_NETWORK}: ${c.stderr.trim()}`);
}

/** Who revoked an approval, and why (" by alice: reason"), for refusal messages; '' when never revoked. */
export function revocationOf(a: ApprovalView): string {
  const t = [...a.history].reverse().find((h) => h.action === 'revoke');
  return t ? ` by ${t.by.user}${t.reason ? `: ${t.reason}` : ''}` : '';
}

/** Drains what is left of the input (so the front end is not stuck writing), bounded in time. */
async function drain(it: AsyncIterable<Buffer>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  try {
    for await (const chunk of it) if (chunk.length === 0 || Date.now() > deadline) break;
  } catch {
    // the refusal was already given
  }
}

export async function brokerBuild(req: BuildRequest, deps: BuildDeps): Promise<BuildResult> {
  // The context streams through at disk speed: keep V8's young generation at its start size.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  const { engine, caller, policy } = deps;
  let told = false;
  const decided = (verdict: BuildResult['verdict'], rules: readonly string[], note?: string): void => {
    if (told) return;
    told = true;
    deps.decided?.(verdict, rules, note);
  };
  const refuse = (rules: string[], message: string, fix: string, note?: string): BuildResult => {
    say(
      formatViolations(
        rules.length > 0 ? rules.map((r) => ({ rule: r, message, fix })) : [{ rule: 'build-approval', message, fix }],
      ),
    );
    const ids = rules.length > 0 ? rules : ['build-approval'];
    decided('refused', ids, note ?? message);
    return { exit: EXIT.refused, verdict: 'refused', rules: ids, finalArgv: [], note: note ?? message };
  };

  // 1. the rulebook, on the argv as the developer typed it (its context and -f are never opened here)
  let d;
  try {
    d = decide(req.argv, policy, { user: caller.user, uid: caller.uid, ciJob: req.ciJob });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(formatUsageError(e));
    decided('usage', [], 'usage error');
    return { exit: EXIT.usage, verdict: 'usage', rules: [], finalArgv: [], note: 'usage error' };
  }
  if (d.parsed.command !== 'build') {
    const m = 'a build request must carry a docker build command line';
    say(`cida-docker broker: ${m}`);
    decided('usage', [], m);
    return { exit: EXIT.usage, verdict: 'usage', rules: [], finalArgv: [], note: m };
  }
  if (!d.allowed) {
    say(formatViolations(d.violations));
    const rules = [...new Set(d.violations.map((v: Violation) => v.rule))];
    decided('refused', rules);
    return { exit: EXIT.refused, verdict: 'refused', rules, finalArgv: [] };
  }
  const parsed = d.parsed;
  const buildArgs = buildArgsOf(parsed);
  if (
    'BUILDKIT_SYNTAX' in buildArgs ||
    (parsed.flags['build-arg'] ?? []).some((v) => v.split('=')[0] === 'BUILDKIT_SYNTAX')
  )
    return refuse(
      ['untrusted-syntax'],
      '--build-arg BUILDKIT_SYNTAX chooses the build frontend image, outside the approved Dockerfile',
      "Leave out --build-arg BUILDKIT_SYNTAX; the engine's built-in frontend builds approved Dockerfiles.",
    );
  const tags = parsed.flags.tag ?? [];
  const example = `${policy.trustedRegistries[0] ?? 'registry.example.internal'}/team/app`;

  // 2. the Dockerfile, first in the stream
  let opened;
  try {
    opened = await openContextStream(deps.input, req.dockerfile, policy.build.maxContextBytes);
  } catch (e) {
    if (!(e instanceof StreamRefused)) throw e;
    return refuse(
      ['build-stream'],
      `build context refused: ${e.message}`,
      'Build with `cida-docker build`, which packs the context as you and streams it with the Dockerfile first.',
    );
  }
  const sha = crypto.createHash('sha256').update(opened.dockerfile).digest('hex');
  const shown = req.dockerfile === '.cida-dockerfile' ? 'Dockerfile' : req.dockerfile;
  let approval;
  try {
    approval = deps.store().approvalFor(sha);
  } catch (e) {
    // A store that cannot be trusted fails closed (78), as the approvals commands do.
    say(`cida-docker: the approvals store cannot be used: ${(e as Error).message}`);
    decided('error', [], 'approvals store unusable');
    void drain(opened.rest);
    return { exit: EXIT.badPolicy, verdict: 'error', rules: [], finalArgv: [], note: 'approvals store unusable' };
  }
  const wantRepo = tags.length > 0 ? (repoOf(tags[0]) ?? example) : example;
  if (approval === undefined || approval.state !== 'approved') {
    void drain(opened.rest);
    const state =
      approval === undefined
        ? 'has never been requested'
        : approval.state === 'revoked'
          ? `was revoked${revocationOf(approval)}`
          : `is ${approval.state}`;
    const fix =
      approval?.state === 'revoked'
        ? 'A revoked Dockerfile stays revoked: change it and request a new approval.'
        : approval?.state === 'pending'
          ? `Wait for a reviewer to approve ${approval.id} (\`cida-docker approval show ${approval.id}\`).`
          : HOW_TO_REQUEST(shown, wantRepo);
    return refuse(
      ['build-approval'],
      `this Dockerfile (sha256 ${sha.slice(0, 12)}) ${state}; only approved Dockerfiles are built`,
      fix,
      `dockerfile ${sha.slice(0, 12)} not approved`,
    );
  }
  // 3. the tags: every one inside the approval's repository
  const outside = tags.filter((t) => repoOf(t) !== approval.repository);
  if (outside.length > 0) {
    void drain(opened.rest);
    return refuse(
      ['build-approval'],
      `-t ${outside.join(', -t ')}: approval ${approval.id} covers ${approval.repository} only`,
      `Tag inside the approved repository: -t ${approval.repository}:<version>. Jenkins' docker.build('myapp') tags "myapp": use docker.build('${approval.repository}:\${env.BUILD_NUMBER}'). Another repository needs its own approval (\`cida-docker approval request --repo …\`).`,
    );
  }
  // 4. the Dockerfile rules again, with the real build args
  const lint = lintDockerfile(opened.dockerfile.toString('utf8'), policy, { file: shown, buildArgs });
  const errors = lint.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    void drain(opened.rest);
    const lines = errors.map((f) => `${shown}:${f.line}: ${f.rule}: ${f.message}`).join('\n  ');
    return refuse(
      [...new Set(errors.map((f) => f.rule))],
      `with these --build-arg values the approved Dockerfile breaks its rules:\n  ${lines}`,
      'Build with the --build-arg values the approval was given for (or none), so the approved base images are the ones used.',
    );
  }

  // 5. build, streaming
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-build-'));
  fs.chmodSync(tmp, 0o700);
  const iidfile = path.join(tmp, 'iid');
  const labels = [`${BUILDER_LABEL}=${caller.user}`, `${APPROVAL_LABEL}=${approval.id}`, `${SHA_LABEL}=${sha}`];
  const argv = finalBuildArgv(parsed, req.dockerfile, labels, iidfile, policy);
  try {
    await ensureNetwork(engine);
    decided('allowed', []);
    const r = await pipeToDocker(engine, argv, opened.head, opened.rest);
    if (r.refused) {
      say(
        formatViolations([
          {
            rule: r.refused.reason === 'too-large' ? 'build-context-size' : 'build-stream',
            message: `build context refused: ${r.refused.message}`,
            fix:
              r.refused.reason === 'too-large'
                ? 'Leave what the build does not need out of the context (.dockerignore), or ask an administrator about build.maxContextBytes.'
                : 'Build with `cida-docker build`, which packs the context as you and streams it with the Dockerfile first.',
          },
        ]),
      );
      return {
        exit: EXIT.refused,
        verdict: 'refused',
        rules: [r.refused.reason === 'too-large' ? 'build-context-size' : 'build-stream'],
        finalArgv: argv,
        approval: approval.id,
        note: 'build stopped: ' + r.refused.reason,
      };
    }
    if (r.code !== 0) return { exit: r.code, verdict: 'allowed', rules: [], finalArgv: argv, approval: approval.id };
    let image = '';
    try {
      image = fs.readFileSync(iidfile, 'utf8').trim();
    } catch {
      // no id written: nothing to record
    }
    if (!/^sha256:[0-9a-f]{64}$/.test(image)) {
      say('cida-docker broker: the build finished but reported no image id; nothing recorded');
      return {
        exit: EXIT.internal,
        verdict: 'error',
        rules: [],
        finalArgv: argv,
        approval: approval.id,
        note: 'no image id',
      };
    }
    deps.store().recordBuild({
      imageId: image,
      builder: { user: caller.user, uid: caller.uid },
      approvalId: approval.id,
      sha256: sha,
      tags,
    });
    return { exit: 0, verdict: 'allowed', rules: [], finalArgv: argv, approval: approval.id, image };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function repoOf(tag: string): string | null {
  try {
    const ref = parseImageReference(tag);
    return ref.domain === '' ? null : `${ref.domain}/${ref.path}`;
  } catch {
    return null;
  }
}

/** Runs docker build with the checked bytes on its stdin; a refusal mid-stream kills it before the tar's end. */
async function pipeToDocker(
  engine: Engine,
  argv: readonly string[],
  head: readonly Buffer[],
  rest: AsyncGenerator<Buffer>,
): Promise<{ code: number; refused?: StreamRefused }> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: engine.env, stdio: ['pipe', 'inherit', 'inherit'] });
  const release = onSignals((s) => child.kill(s));
  const closed = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      say(`cida-docker broker: cannot run docker: ${e.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) =>
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 1)),
    );
  });
  const stdin = child.stdin;
  let stdinGone = false;
  stdin.on('error', () => {
    stdinGone = true; // docker stopped reading (it failed): its exit code tells
  });
  const write = async (b: Buffer): Promise<void> => {
    if (stdinGone) return;
    if (!stdin.write(b))
      await new Promise<void>((resolve) => {
        stdin.once('drain', resolve);
        stdin.once('close', resolve);
      });
  };
  let refused: StreamRefused | undefined;
  try {
    for (const b of head) await write(b);
    for await (const b of rest) {
      await write(b);
      if (stdinGone) break;
    }
    stdin.end();
  } catch (e) {
    if (!(e instanceof StreamRefused)) {
      child.kill('SIGKILL');
      release();
      throw e;
    }
    refused = e;
    // Before the tar's end: the engine never gets a whole context, so nothing is built.
    child.kill('SIGKILL');
    stdin.destroy();
  }
  const code = await closed;
  release();
  return { code, ...(refused ? { refused } : {}) };
}

// ------------------------------------------------------------------ run and approvals

export type RunVerdict = { ok: true; why: string } | { ok: false; rule: string; message: string; fix: string };

/**
 * May a container run from image `imageId` (the `.Image` of `docker inspect` after create)?
 * With run.requireApprovedImage (default): an image the store links to an approval still
 * approved, or one the trusted-image rule already admitted by name from a trusted registry
 * (`fromTrustedRegistry`: the name the developer gave passed that rule, and the image was not
 * built here). An image whose builds are all from approvals no longer approved (revoked) is refused.
 */
export function imageRunVerdict(imageId: string, imageName: string, policy: Policy, store: ApprovalLookup): RunVerdict {
  let prov;
  try {
    prov = store.provenanceOf(imageId);
  } catch (e) {
    return {
      ok: false,
      rule: 'trusted-image',
      message: `the approvals store cannot be read (${(e as Error).message}); image ${imageName} is not run`,
      fix: 'Ask an administrator to run `cida-docker doctor`.',
    };
  }
  if (prov !== undefined && prov.builds.length > 0) {
    for (const b of [...prov.builds].reverse()) {
      const a = store.approvalFor(b.sha256);
      if (a?.state === 'approved') return { ok: true, why: `built here from approval ${a.id}` };
    }
    const last = prov.builds[prov.builds.length - 1];
    const a = store.approvalFor(last.sha256);
    return {
      ok: false,
      rule: 'trusted-image',
      message: `image ${imageName} was built from approval ${last.approvalId}, which is ${a?.state ?? 'gone'}${a?.state === 'revoked' ? revocationOf(a) : ''}; its images no longer run`,
      fix: 'Build from a Dockerfile that is approved now (`cida-docker approval list --state approved`).',
    };
  }
  if (!policy.run.requireApprovedImage) return { ok: true, why: 'run.requireApprovedImage is off' };
  let trusted = false;
  try {
    const ref = parseAnyReference(imageName);
    trusted = !isImageId(ref) && isFromRegistry(ref, policy.trustedRegistries);
  } catch {
    trusted = false;
  }
  if (trusted) return { ok: true, why: 'from a trusted registry' };
  return {
    ok: false,
    rule: 'trusted-image',
    message: `image ${imageName} is neither from a trusted registry nor built here from an approved Dockerfile`,
    fix: `Run an image from ${policy.trustedRegistries.join(', ') || 'the trusted registry'}, or build it with \`cida-docker build\` from an approved Dockerfile.`,
  };
}
