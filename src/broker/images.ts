// Publishing, as the broker carries it out: push, tag, rmi, pull, login and logout (issue 10).
// The engine's images and tags are shared by every developer on the host, so what a name points
// at is resolved to an image id here, as root, and judged by the broker's own records (image
// provenance and approvals in src/approvals/store.ts), never by labels or by what the caller says.
//   push   only an image the store records as built from an approval that is still approved, only
//          to that approval's repository (the trusted-image rule already keeps it to a trusted
//          registry); the digest the registry reports is recorded (provenance, approval, audit).
//   tag    the source is the caller's own build from an approved Dockerfile, the target lies in
//          that approval's repository, and a target name that points at an image the caller did
//          not build (a pulled base image, another developer's build) is never moved.
//   rmi    a developer removes tags (by name) of their own builds only; administrators anything.
//   pull   the trusted-image rule decides; credentials are the caller's; a name that points at a
//          build made here by another developer is not re-pointed (pull and run --pull always).
//   login/logout  the caller's own DOCKER_CONFIG (root-owned, 0700 directories, 0600 file), the
//          server normalised (`https://registry.example.internal/v1/` → the host; Docker Hub's
//          spellings → no server); `-p` goes to docker on its stdin, never on a command line.
// A registry auth handed in the request (Jenkins' per-block DOCKER_CONFIG, read by the front end)
// is written to a private temporary DOCKER_CONFIG for that one push or pull and removed after it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emitDockerArgv } from '../docker/emit.js';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';
import { parseImageReference } from '../docker/reference.js';
import { EXIT } from '../exit-codes.js';
import { loginRegistry } from '../guards/trusted-image.js';
import { hasInlinePassword } from './audit.js';
import { type ApprovalView, revocationOf } from './build.js';
import { capture, type Engine, onSignals, runInherit } from './engine.js';
import { allowed, type BrokerContext, type Outcome, outputTooLarge, refused, Stopped } from './outcome.js';
import { BROKER_STATE_DIR } from './paths.js';

/** The verbs this module carries out. */
export const IMAGE_VERBS = new Set(['push', 'tag', 'rmi', 'pull', 'login', 'logout']);

export function isImageVerb(command: string): boolean {
  return IMAGE_VERBS.has(command);
}

/** What publishing needs of the approvals store (src/approvals/store.ts ApprovalStore has these). */
export interface ImageStore {
  approvalFor(sha256: string): ApprovalView | undefined;
  provenanceOf(imageId: string):
    | {
        readonly builds: readonly {
          readonly sha256: string;
          readonly approvalId: string;
          readonly builder: { readonly user: string; readonly uid: number };
        }[];
      }
    | undefined;
  recordPush(p: {
    imageId: string;
    name: string;
    digest: string;
    by: { user: string; uid: number };
    approvalId: string;
    sha256: string;
  }): void;
}

/** A registry credential the front end read from the caller's DOCKER_CONFIG for this one call. */
export interface RegistryAuth {
  /** The registry as image names spell it (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** The config's `auth` value: base64 of `user:password`. */
  readonly auth: string;
}

export interface ImageDeps {
  readonly store: () => ImageStore;
  readonly auth?: RegistryAuth;
  /** Root of the per-user docker configurations (default BROKER_STATE_DIR/users); tests use a temp dir. */
  readonly usersDir?: string;
  /** The uid that must own them (default: the broker's, root). */
  readonly owner?: number;
}

// Rule ids of the refusals here (beside the rulebook's trusted-image): push-approved, tag-approved, rmi-own,
// pull-local-build.

// ------------------------------------------------------------------ reading the engine

export interface ImageFacts {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
}

const INSPECT_FORMAT = '{"Id":{{json .Id}},"RepoTags":{{json .RepoTags}},"RepoDigests":{{json .RepoDigests}}}';
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

/** Parses the inspect line (hostile: strict shapes, bounded by the capture). Null when it is not one. */
export function parseImageFacts(text: string): ImageFacts | null {
  let v: unknown;
  try {
    v = JSON.parse(text.trim());
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const strings = (x: unknown): string[] | null =>
    x === null || x === undefined
      ? []
      : Array.isArray(x) && x.every((s) => typeof s === 'string' && s.length <= 1024)
        ? x
        : null;
  const tags = strings(o.RepoTags);
  const digests = strings(o.RepoDigests);
  if (typeof o.Id !== 'string' || !IMAGE_ID.test(o.Id) || tags === null || digests === null) return null;
  return { id: o.Id, repoTags: tags, repoDigests: digests };
}

/** What the broker reads of one image's inspect line: thousands of tags. */
const INSPECT_MAX_BYTES = 256 * 1024;

/** The image a name resolves to on the engine now, or null (no such image). */
export async function inspectImage(engine: Engine, name: string): Promise<ImageFacts | null> {
  const r = await capture(engine, ['image', 'inspect', '--format', INSPECT_FORMAT, '--', name], {
    maxBytes: INSPECT_MAX_BYTES,
  });
  // Cut output is not "no such image": tag would then move a name it could not see the owner of.
  if (r.overflow)
    throw new Stopped(
      outputTooLarge(
        `the engine's description of image ${name} (its tags and digests)`,
        INSPECT_MAX_BYTES,
        'Ask an administrator to remove unused tags of that image (`docker rmi NAME:TAG`), then try again.',
      ),
    );
  if (r.code !== 0) return null;
  return parseImageFacts(r.stdout);
}

/** `host[:port]/path:tag` (tag default latest) for a name docker accepts, or null. */
export function canonicalTag(name: string): { repository: string; tag: string; digest?: string } | null {
  try {
    const ref = parseImageReference(name);
    if (ref.domain === '') return null;
    return {
      repository: `${ref.domain}/${ref.path}`,
      tag: ref.tag ?? 'latest',
      ...(ref.digest ? { digest: ref.digest } : {}),
    };
  } catch {
    return null;
  }
}

/** True when `name` is one of the image's own names (a tag or a digest reference), not an id prefix. */
export function namesImage(name: string, facts: ImageFacts): boolean {
  const want = canonicalTag(name);
  if (want === null) return false;
  if (want.digest !== undefined)
    return facts.repoDigests.some((d) => {
      const c = canonicalTag(d);
      return c !== null && c.repository === want.repository && c.digest === want.digest;
    });
  return facts.repoTags.some((t) => {
    const c = canonicalTag(t);
    return c !== null && c.repository === want.repository && c.tag === want.tag;
  });
}

// ------------------------------------------------------------------ provenance judgements

type Build = NonNullable<ReturnType<ImageStore['provenanceOf']>>['builds'][number];

export type PushVerdict =
  { ok: true; build: Build; approval: ApprovalView } | { ok: false; message: string; fix: string };

/**
 * May image `imageId` (what `name` points at) be pushed to `repository` by `uid`? Only when one of
 * its builds comes from an approval that is approved now and covers that repository.
 */
export function judgePush(store: ImageStore, name: string, imageId: string, repository: string): PushVerdict {
  const short = imageId.slice(7, 19);
  const prov = store.provenanceOf(imageId);
  if (prov === undefined || prov.builds.length === 0)
    return {
      ok: false,
      message: `${name} points at image ${short}, which was not built here from an approved Dockerfile (it was pulled from a registry, or built outside cida-docker): only approved builds are published`,
      fix: `Build it from an approved Dockerfile: \`cida-docker build -t ${repository}:<version> .\` (\`cida-docker approval request\` first), then push that. A pulled image is already in its registry: nothing to push.`,
    };
  const looked = [...prov.builds].reverse().map((b) => ({ b, a: store.approvalFor(b.sha256) }));
  const good = looked.find(({ a }) => a?.state === 'approved' && a.repository === repository);
  if (good) return { ok: true, build: good.b, approval: good.a as ApprovalView };
  const elsewhere = looked.find(({ a }) => a?.state === 'approved');
  if (elsewhere)
    return {
      ok: false,
      message: `${name}: image ${short} was built from approval ${elsewhere.a?.id}, which covers ${elsewhere.a?.repository} only, not ${repository}`,
      fix: `Push it inside the approved repository: \`cida-docker tag ${name} ${elsewhere.a?.repository}:<version>\` and push that. Another repository needs its own approval.`,
    };
  const last = looked[0];
  return {
    ok: false,
    message: `${name}: image ${short} was built from approval ${last.b.approvalId}, which is ${last.a?.state ?? 'gone'}${last.a?.state === 'revoked' ? revocationOf(last.a) : ''}; its images are no longer published`,
    fix: 'Build from a Dockerfile that is approved now (`cida-docker approval list --state approved`); a revoked Dockerfile must be changed and approved anew.',
  };
}

/** The caller's approved builds of `imageId` whose approval covers `repository` (any, for an admin). */
function ownApprovedBuild(
  store: ImageStore,
  imageId: string,
  repository: string,
  uid: number,
): { b: Build; a: ApprovalView } | null {
  const prov = store.provenanceOf(imageId);
  for (const b of [...(prov?.builds ?? [])].reverse()) {
    if (b.builder.uid !== uid) continue;
    const a = store.approvalFor(b.sha256);
    if (a?.state === 'approved' && a.repository === repository) return { b, a };
  }
  return null;
}

function builtBy(store: ImageStore, imageId: string, uid: number): boolean {
  return (store.provenanceOf(imageId)?.builds ?? []).some((b) => b.builder.uid === uid);
}

/** The local tags of `repository` (`host/path`), each as `repository:tag`. */
async function localTags(engine: Engine, repository: string): Promise<string[]> {
  // docker matches the argument against the familiar name: docker.io/acme/app is listed as acme/app.
  const familiar = repository.replace(/^docker\.io\//, '').replace(/^library\/(?=[^/]+$)/, '');
  const r = await capture(engine, ['image', 'ls', '--format', '{{json .Tag}}', '--', familiar], {
    maxBytes: INSPECT_MAX_BYTES,
  });
  if (r.overflow)
    throw new Stopped(
      outputTooLarge(
        `the engine's list of local tags of ${repository}`,
        INSPECT_MAX_BYTES,
        'Ask an administrator to remove unused tags of that repository (`docker rmi NAME:TAG`), or pull one tag at a time.',
      ),
    );
  const tags: string[] = [];
  for (const line of r.stdout.split('\n')) {
    try {
      const t: unknown = JSON.parse(line);
      if (typeof t === 'string' && /^[\w][\w.-]{0,127}$/.test(t)) tags.push(`${repository}:${t}`);
    } catch {
      // not a line of ours
    }
  }
  return tags;
}

/**
 * Would a pull of `name` (`pull`, or `run --pull always`) re-point a local name that points at a
 * build made on this host by somebody other than the caller? Returns that refusal, or null.
 * Images and tags are shared on the host. A trusted registry name means the registry's image:
 * moving a pulled image's name to the registry's copy is what a pull is for (and not a build of
 * anybody's). A name on a local build is that developer's (as tag and rmi hold): a pull must not
 * silently swap another developer's build under them; the caller's own build it may replace, as
 * tag may. A digest pull moves no tag; administrators pull anything.
 */
export async function pullReplacesBuild(
  ctx: BrokerContext,
  name: string,
  allTags: boolean,
  store: {
    provenanceOf(
      imageId: string,
    ): { readonly builds: readonly { readonly builder?: { user: string; uid: number } }[] } | undefined;
  },
  verb: string,
): Promise<Outcome | null> {
  if (ctx.admin) return null;
  const want = canonicalTag(name);
  if (want === null || want.digest !== undefined) return null;
  const names = allTags ? await localTags(ctx.engine, want.repository) : [`${want.repository}:${want.tag}`];
  for (const n of names) {
    const current = await inspectImage(ctx.engine, n);
    if (current === null) continue;
    const builds = store.provenanceOf(current.id)?.builds ?? [];
    // A build whose builder is not recorded counts as somebody else's.
    if (builds.length === 0 || builds.some((b) => b.builder?.uid === ctx.caller.uid)) continue;
    const who = builds[builds.length - 1].builder?.user ?? 'another developer';
    return refused(
      'pull-local-build',
      `${verb} ${n}: that name points at image ${current.id.slice(7, 19)}, which ${who} built on this host; the pull would re-point it to the registry's copy and silently replace their build (images are shared on this host)`,
      `Use the local image as it is, or pull and run the registry's by digest (${want.repository}@sha256:…), which moves no name; ${who} or an administrator can push or remove that tag first.`,
    );
  }
  return null;
}

// ------------------------------------------------------------------ per-user credentials

/**
 * Makes the caller's docker configuration private: `<users>/<uid>` and its `.docker` directories
 * 0700 and `.docker/config.json` 0600, every one owned by `owner` (root) and none a symlink.
 * Returns null, or why the store cannot be trusted (the broker then does nothing).
 */
export function securePrivateConfig(usersDir: string, uid: number, owner = process.getuid?.() ?? 0): string | null {
  const home = path.join(usersDir, String(uid));
  const docker = path.join(home, '.docker');
  try {
    for (const dir of [usersDir, home, docker]) {
      if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 });
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || st.uid !== owner)
        return `${dir} is not a directory owned by uid ${owner} (a symlink, or someone else's)`;
      if ((st.mode & 0o7777) !== 0o700) fs.chmodSync(dir, 0o700);
    }
    const config = path.join(docker, 'config.json');
    if (fs.existsSync(config) || isLink(config)) {
      const st = fs.lstatSync(config);
      if (!st.isFile() || st.uid !== owner) return `${config} is not a regular file owned by uid ${owner}`;
      if ((st.mode & 0o7777) !== 0o600) fs.chmodSync(config, 0o600);
    }
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The config key docker uses for a registry: Docker Hub's is its v1 index URL. */
export function authKey(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** A private temporary DOCKER_CONFIG holding only this credential; removed by the returned function. */
export function temporaryConfig(auth: RegistryAuth): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-auth-'));
  fs.chmodSync(dir, 0o700);
  const fd = fs.openSync(
    path.join(dir, 'config.json'),
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fs.writeSync(fd, JSON.stringify({ auths: { [authKey(auth.registry)]: { auth: auth.auth } } }));
  } finally {
    fs.closeSync(fd);
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// ------------------------------------------------------------------ push output

/**
 * The digest in docker push's last line `TAG: digest: sha256:<64 hex> size: N`, for the tag that
 * was pushed; null when no such line (quiet, a failure, or anything else docker printed).
 */
export function pushedDigest(output: string, tag: string): string | null {
  let found: string | null = null;
  for (const line of output.split('\n')) {
    const m = /^([\w][\w.-]{0,127}): digest: (sha256:[0-9a-f]{64}) size: [0-9]{1,12}\r?$/.exec(line);
    if (m && m[1] === tag) found = m[2];
  }
  return found;
}

/** Runs docker push with its stdout passed on as it comes; keeps the last 8 KiB to read the digest. */
function runPush(engine: Engine, argv: readonly string[]): Promise<{ code: number; tail: string }> {
  const child = spawn(engine.docker, argv, { cwd: '/', env: engine.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const release = onSignals((s) => child.kill(s));
  let tail = '';
  child.stdout.on('data', (b: Buffer) => {
    process.stdout.write(b);
    tail = (tail + b.toString('utf8')).slice(-8192);
  });
  return new Promise<{ code: number; tail: string }>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`cida-docker broker: cannot run docker: ${e.message}\n`);
      resolve({ code: 127, tail });
    });
    child.on('close', (code, signal) =>
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15), tail }),
    );
  }).finally(release);
}

// ------------------------------------------------------------------ the verbs

export async function brokerImageVerb(ctx: BrokerContext, cmd: ParsedCommand, deps: ImageDeps): Promise<Outcome> {
  const command = cmd.command ?? '';
  if (isSet(cmd.flags, 'help')) {
    const argv = emitDockerArgv(cmd);
    return allowed(await runInherit(ctx.engine, argv), argv);
  }
  const usersDir = deps.usersDir ?? path.join(BROKER_STATE_DIR, 'users');
  if (command === 'login' || command === 'logout' || command === 'push' || command === 'pull') {
    const bad = securePrivateConfig(usersDir, ctx.caller.uid, deps.owner);
    if (bad !== null) {
      process.stderr.write(
        `cida-docker: your registry logins are kept in ${usersDir}/${ctx.caller.uid}, which cannot be trusted: ${bad}. Nothing was done. Ask an administrator to run \`cida-docker doctor\`.\n`,
      );
      return {
        exit: EXIT.badPolicy,
        verdict: 'error',
        rules: [],
        finalArgv: [],
        note: 'per-user docker config not trusted',
      };
    }
  }
  switch (command) {
    case 'login':
      return login(ctx, cmd);
    case 'logout': {
      const registry = loginRegistry(cmd.args[0]);
      const argv = emitDockerArgv({ ...cmd, args: registry === 'docker.io' ? [] : [registry] });
      const code = await runInherit(ctx.engine, argv);
      securePrivateConfig(usersDir, ctx.caller.uid, deps.owner);
      return allowed(code, argv);
    }
    case 'pull': {
      let store: ImageStore;
      try {
        store = deps.store();
      } catch (e) {
        process.stderr.write(`cida-docker: the approvals store cannot be used: ${(e as Error).message}\n`);
        return { exit: EXIT.badPolicy, verdict: 'error', rules: [], finalArgv: [], note: 'approvals store unusable' };
      }
      const replaces = await pullReplacesBuild(ctx, cmd.args[0] ?? '', isSet(cmd.flags, 'all-tags'), store, 'pull');
      if (replaces !== null) return replaces;
      return withAuth(ctx, cmd, deps, async (engine) => {
        const argv = emitDockerArgv(cmd);
        return allowed(await runInherit(engine, argv), argv);
      });
    }
    case 'push':
      return push(ctx, cmd, deps);
    case 'tag':
      return tag(ctx, cmd, deps);
    case 'rmi':
      return rmi(ctx, cmd, deps);
    default: {
      const argv = emitDockerArgv(cmd);
      return allowed(await runInherit(ctx.engine, argv), argv);
    }
  }
}

async function login(ctx: BrokerContext, cmd: ParsedCommand): Promise<Outcome> {
  const registry = loginRegistry(cmd.args[0]);
  // docker keys the login by host: the normalised one, so that push and pull find it.
  const args = registry === 'docker.io' ? [] : [registry];
  if (hasInlinePassword(cmd)) {
    // The password goes to docker on its stdin, never on a root process's command line (ps shows it).
    process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    const password = lastValue(cmd.flags, 'password') ?? '';
    const flags = { ...cmd.flags };
    delete flags.password;
    flags['password-stdin'] = ['true'];
    const argv = emitDockerArgv({ ...cmd, flags, args });
    const r = await capture(ctx.engine, argv, { input: password, inheritStderr: true, maxBytes: 64 * 1024 });
    process.stdout.write(r.stdout);
    return allowed(r.code, argv, { note: `login ${registry}` });
  }
  const argv = emitDockerArgv({ ...cmd, args });
  return allowed(await runInherit(ctx.engine, argv), argv, { note: `login ${registry}` });
}

/** Runs `fn` with the engine whose DOCKER_CONFIG holds the request's credential when it is for `registry`. */
async function withAuth(
  ctx: BrokerContext,
  cmd: ParsedCommand,
  deps: ImageDeps,
  fn: (engine: Engine) => Promise<Outcome>,
  registry?: string,
): Promise<Outcome> {
  const reg = registry ?? canonicalTag(cmd.args[0] ?? '')?.repository.split('/')[0];
  if (deps.auth === undefined || reg === undefined || deps.auth.registry !== reg) return fn(ctx.engine);
  const tmp = temporaryConfig(deps.auth);
  try {
    return await fn({ ...ctx.engine, env: { ...ctx.engine.env, DOCKER_CONFIG: tmp.dir } });
  } finally {
    tmp.remove();
  }
}

async function push(ctx: BrokerContext, cmd: ParsedCommand, deps: ImageDeps): Promise<Outcome> {
  const name = cmd.args[0] ?? '';
  if (isSet(cmd.flags, 'all-tags'))
    return refused(
      'trusted-image',
      `push --all-tags ${name}: every local tag of the repository would be published, each of which must be an approved build`,
      `Push each tag by name: cida-docker push ${name}:<tag>.`,
    );
  const want = canonicalTag(name);
  if (want === null)
    return refused('trusted-image', `push ${name}: not a fully qualified image name`, 'Push host[:port]/path:tag.');
  if (want.digest !== undefined)
    return refused(
      'trusted-image',
      `push ${name}: a digest names what is already in a registry; push a tag`,
      `Push by tag: cida-docker push ${want.repository}:<tag>.`,
    );
  const full = `${want.repository}:${want.tag}`;
  const before = await inspectImage(ctx.engine, full);
  if (before === null) {
    process.stderr.write(`An image does not exist locally with the tag: ${want.repository}\n`);
    return allowed(1, [], { note: 'no such local tag' });
  }
  let verdict: PushVerdict;
  try {
    verdict = judgePush(deps.store(), full, before.id, want.repository);
  } catch (e) {
    process.stderr.write(`cida-docker: the approvals store cannot be used: ${(e as Error).message}\n`);
    return { exit: EXIT.badPolicy, verdict: 'error', rules: [], finalArgv: [], note: 'approvals store unusable' };
  }
  if (!verdict.ok) return refused('push-approved', verdict.message, verdict.fix);
  const approval = verdict.approval;
  return withAuth(ctx, cmd, deps, async (engine) => {
    const argv = emitDockerArgv({ ...cmd, args: [full] });
    const r = await runPush(engine, argv);
    if (r.code !== 0) return allowed(r.code, argv, { approval: approval.id });
    let digest = pushedDigest(r.tail, want.tag);
    const after = await inspectImage(ctx.engine, full);
    if (digest === null && after !== null)
      // docker push -q prints the name only: the registry's digest is in the image's RepoDigests.
      digest =
        after.repoDigests.map((d) => canonicalTag(d)).find((c) => c?.repository === want.repository)?.digest ?? null;
    if (after === null || after.id !== before.id) {
      process.stderr.write(
        `cida-docker: ${full} was re-pointed while it was being pushed; the push is not recorded as image ${before.id.slice(7, 19)}\n`,
      );
      return allowed(r.code, argv, {
        approval: approval.id,
        note: `pushed ${full}, but the tag moved during the push; not recorded`,
      });
    }
    if (digest === null)
      return allowed(r.code, argv, { approval: approval.id, note: `pushed ${full}; docker reported no digest` });
    try {
      deps.store().recordPush({
        imageId: before.id,
        name: full,
        digest,
        by: { user: ctx.caller.user, uid: ctx.caller.uid },
        approvalId: approval.id,
        sha256: approval.sha256,
      });
    } catch (e) {
      process.stderr.write(`cida-docker: pushed, but the push could not be recorded: ${(e as Error).message}\n`);
    }
    return allowed(r.code, argv, { approval: approval.id, note: `pushed ${full} ${digest}` });
  });
}

async function tag(ctx: BrokerContext, cmd: ParsedCommand, deps: ImageDeps): Promise<Outcome> {
  const [source, target] = cmd.args;
  const to = canonicalTag(target ?? '');
  if (source === undefined || to === null)
    return refused(
      'trusted-image',
      'tag needs a source image and a target name in the trusted registry',
      'cida-docker tag SOURCE REGISTRY/REPO:TAG',
    );
  const toName = `${to.repository}:${to.tag}`;
  const src = await inspectImage(ctx.engine, source);
  if (src === null) {
    process.stderr.write(`Error response from daemon: No such image: ${source}\n`);
    return allowed(1, [], { note: 'no such image' });
  }
  const store = deps.store();
  const short = src.id.slice(7, 19);
  try {
    const own = ownApprovedBuild(store, src.id, to.repository, ctx.caller.uid);
    if (own === null) {
      const prov = store.provenanceOf(src.id);
      const why =
        prov === undefined || prov.builds.length === 0
          ? `${source} is image ${short}, which was not built here from an approved Dockerfile (pulled, or built elsewhere): a tag never puts a trusted name on it`
          : !builtBy(store, src.id, ctx.caller.uid)
            ? `${source} is image ${short}, which ${prov.builds[prov.builds.length - 1].builder.user} built, not you: a tag never puts a name onto an image you did not build`
            : `${toName} lies outside the repository of every approved Dockerfile image ${short} was built from (${
                [
                  ...new Set(
                    prov.builds
                      .map((b) => store.approvalFor(b.sha256))
                      .filter((a) => a?.state === 'approved')
                      .map((a) => a?.repository),
                  ),
                ].join(', ') || 'none approved now'
              })`;
      return refused(
        'tag-approved',
        why,
        'Tag your own approved builds inside their approved repository (`cida-docker approval list --state approved` shows which); another repository needs its own approval.',
      );
    }
    const current = await inspectImage(ctx.engine, toName);
    if (current !== null && current.id !== src.id && !builtBy(store, current.id, ctx.caller.uid))
      return refused(
        'tag-approved',
        `${toName} points at image ${current.id.slice(7, 19)}, which you did not build (a pulled image, or another developer's build): a tag never moves such a name`,
        `Choose another tag in ${to.repository}, e.g. ${to.repository}:<your version>.`,
      );
    const argv = emitDockerArgv({ ...cmd, args: [source, toName] });
    return allowed(await runInherit(ctx.engine, argv), argv, { approval: own.a.id });
  } catch (e) {
    process.stderr.write(`cida-docker: the approvals store cannot be used: ${(e as Error).message}\n`);
    return { exit: EXIT.badPolicy, verdict: 'error', rules: [], finalArgv: [], note: 'approvals store unusable' };
  }
}

async function rmi(ctx: BrokerContext, cmd: ParsedCommand, deps: ImageDeps): Promise<Outcome> {
  if (ctx.admin) {
    const argv = emitDockerArgv(cmd);
    return allowed(await runInherit(ctx.engine, argv), argv);
  }
  const store = deps.store();
  const missing: string[] = [];
  const kept: string[] = [];
  for (const ref of cmd.args) {
    const facts = canonicalTag(ref) === null ? null : await inspectImage(ctx.engine, ref);
    if (facts === null) {
      if (canonicalTag(ref) === null || /^(sha256:)?[0-9a-f]{4,64}$/.test(ref))
        return refused(
          'rmi-own',
          `rmi ${ref}: developers remove images by the name of their own build, not by id`,
          'Remove a tag: cida-docker rmi REGISTRY/REPO:TAG (cida-docker images shows them).',
        );
      missing.push(ref);
      continue;
    }
    if (!namesImage(ref, facts))
      return refused(
        'rmi-own',
        `rmi ${ref}: that names image ${facts.id.slice(7, 19)} by id, not by one of its names; developers remove tags of their own builds`,
        'Remove a tag: cida-docker rmi REGISTRY/REPO:TAG (cida-docker images shows them).',
      );
    let mine: boolean;
    try {
      mine = builtBy(store, facts.id, ctx.caller.uid);
    } catch (e) {
      process.stderr.write(`cida-docker: the approvals store cannot be used: ${(e as Error).message}\n`);
      return { exit: EXIT.badPolicy, verdict: 'error', rules: [], finalArgv: [], note: 'approvals store unusable' };
    }
    if (!mine)
      return refused(
        'rmi-own',
        `rmi ${ref}: image ${facts.id.slice(7, 19)} is not your build (images are shared on this host: a pulled base image, or another developer's build)`,
        'Remove only tags of images you built; an administrator can remove others.',
      );
    kept.push(ref);
  }
  for (const m of missing) process.stderr.write(`Error response from daemon: No such image: ${m}\n`);
  if (kept.length === 0) return allowed(1, [], { note: 'no such image' });
  const argv = emitDockerArgv({ ...cmd, args: kept });
  const code = await runInherit(ctx.engine, argv);
  return allowed(missing.length > 0 && code === 0 ? 1 : code, argv);
}
