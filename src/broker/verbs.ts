// Every verb other than run: isolation between developers. `ps` gets a label filter; the verbs
// naming containers act only on the caller's own, resolved among them as the engine resolves,
// and reach docker as full ids; somebody else's container answers exactly like a missing one.
import { emitDockerArgv } from '../docker/emit.js';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';
import { brokerStore } from './approvals.js';
import {
  ambiguousPrefix,
  type ContainerEntry,
  listContainers,
  noSuchContainer,
  ownedBy,
  resolveContainer,
} from './containers.js';
import { capture, containerValues, type Engine, runInherit, runMappingStdout } from './engine.js';
import { brokerImageVerb, isImageVerb } from './images.js';
import { allowed, type BrokerContext, type Outcome, refused, Stopped } from './outcome.js';
import { ownRecords, readRecord } from './ownership.js';
import { rootPart } from '../docker/user-spec.js';
import { containerIdentity, inspectState, remove, rootInMainProcess } from './run.js';

/** Verbs whose first positional is a container (the rest belongs to the command). */
const FIRST_ARG = new Set(['logs', 'exec', 'top', 'port']);
/** Verbs whose every positional is a container. */
const ALL_ARGS = new Set(['stop', 'start', 'restart', 'rm', 'kill', 'wait', 'stats', 'inspect', 'container inspect']);
/**
 * Every spelling of inspect, with the one object type it reads: `container inspect` and `image
 * inspect` are scoped exactly as `inspect --type container` and `--type image` (null: --type decides).
 */
const INSPECT_TYPES: Readonly<Record<string, 'container' | 'image' | null>> = {
  inspect: null,
  'container inspect': 'container',
  'image inspect': 'image',
};
/** Verbs that print each container argument back as given, once done. */
const ECHOING = new Set(['stop', 'start', 'restart', 'rm', 'kill']);

export function isContainerVerb(command: string): boolean {
  return FIRST_ARG.has(command) || ALL_ARGS.has(command);
}

/** Every container of the engine with its owner; an engine that does not answer stops the request with docker's words. */
async function allContainers(ctx: BrokerContext): Promise<ContainerEntry[]> {
  const listed = await listContainers(ctx);
  if (Array.isArray(listed)) return listed;
  process.stderr.write(
    `cida-docker: cannot list containers through the engine${listed.why ? `: ${listed.why}` : ''}\n`,
  );
  throw new Stopped({
    exit: listed.code,
    verdict: 'error',
    rules: [],
    finalArgv: [],
    note: 'container listing failed',
  });
}

/** A never-matching id filter: `ps` of a caller who owns nothing must list nothing. */
const NO_CONTAINER = 'z'.repeat(64);

/**
 * `ps` for a developer: their own containers only, by id filters from the broker's records (the
 * engine ORs filters of one key, so the caller's own id filters are applied here, not passed on).
 * The ids come straight from the records (one docker call); only a before/since filter, which
 * names a container to resolve among the caller's own, needs the engine's listing first.
 */
async function ownPs(ctx: BrokerContext, cmd: ParsedCommand): Promise<Outcome> {
  // Read each filter as docker's CLI does (opts.FilterOpt: key and value trimmed, key lower-cased),
  // so that " id=…" or "ID=…" is recognised as the id filter the engine will see.
  const parsed = (cmd.flags.filter ?? []).map((raw) => {
    const eq = raw.indexOf('=');
    return eq < 0
      ? { key: raw.trim().toLowerCase(), value: '' }
      : { key: raw.slice(0, eq).trim().toLowerCase(), value: raw.slice(eq + 1).trim() };
  });
  const naming = parsed.some((f) => f.key === 'before' || f.key === 'since');
  const recorded = naming ? null : ownRecords(ctx.records, ctx.caller.uid);
  const entries = recorded === null ? ownedBy(await allContainers(ctx), ctx.caller.uid) : [];
  const mine = recorded ?? entries.map((e) => e.id);
  const idFilters = parsed.filter((f) => f.key === 'id').map((f) => f.value.toLowerCase());
  const others: string[] = [];
  for (const f of parsed) {
    if (f.key === 'id') continue;
    if (f.key === 'before' || f.key === 'since') {
      // These name another container: only one of the caller's own, or the answer says whether it exists.
      const r = resolveContainer(f.value, entries);
      if (r.kind !== 'found') {
        process.stderr.write(`${noSuchContainer('ps', f.value)}\n`);
        return allowed(1, [], { note: `no such container for --filter ${f.key}` });
      }
      others.push(`${f.key}=${r.id}`);
    } else others.push(`${f.key}=${f.value}`);
  }
  // The engine matches an id filter as a pattern inside the id; hex prefixes and whole ids are what people pass.
  const wanted = idFilters.length === 0 ? mine : mine.filter((id) => idFilters.some((f) => f !== '' && id.includes(f)));
  const ids = wanted.length > 0 ? wanted : [NO_CONTAINER];
  const filtered = { ...cmd, flags: { ...cmd.flags, filter: [...others, ...ids.map((id) => `id=${id}`)] } };
  const argv = emitDockerArgv(filtered);
  return allowed(await runInherit(ctx.engine, argv), argv);
}

export async function brokerVerb(ctx: BrokerContext, cmd: ParsedCommand): Promise<Outcome> {
  const { engine, caller } = ctx;
  const command = cmd.command ?? '';
  if (command === 'build')
    // A build request with a path makes root read that path: builds arrive only as a stream.
    return refused(
      'build-context',
      'the broker builds only a context that cida-docker streams to it; a docker build with a path would make root read that path',
      'Use `cida-docker build -t REGISTRY/REPO:TAG .` from your project (it packs the context as you and streams it).',
    );
  if (command === 'ps' && !ctx.admin) return ownPs(ctx, cmd);
  // push, tag, rmi, pull, login, logout: images are shared, credentials are per user (images.ts).
  if (isImageVerb(command))
    return brokerImageVerb(ctx, cmd, { store: brokerStore, ...(ctx.registryAuth ? { auth: ctx.registryAuth } : {}) });
  // Administrators act on every container, but exec, start and restart keep the pinned user for them too.
  const pinning = PINNED.has(command);
  const inspecting = Object.hasOwn(INSPECT_TYPES, command);
  if ((!isContainerVerb(command) && !inspecting) || (ctx.admin && !pinning)) {
    const argv = emitDockerArgv(cmd);
    return allowed(await runInherit(engine, argv), argv);
  }
  if (inspecting) return inspect(ctx, cmd, INSPECT_TYPES[command]);

  const all = await allContainers(ctx);
  const mine = ctx.admin ? all : ownedBy(all, caller.uid);
  const refs = FIRST_ARG.has(command) ? cmd.args.slice(0, 1) : cmd.args;
  const rest = FIRST_ARG.has(command) ? cmd.args.slice(1) : [];

  if (command === 'stats' && refs.length === 0) {
    // Without names docker shows every running container (-a: every container): only the caller's.
    const ids = mine.map((e) => e.id);
    const running = isSet(cmd.flags, 'all') ? ids : await runningOnly(engine, ids);
    if (running.length === 0) {
      if (lastValue(cmd.flags, 'format') === undefined)
        process.stdout.write(
          'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n',
        );
      return allowed(0, []);
    }
    const argv = emitDockerArgv({ ...cmd, args: running });
    return allowed(await runInherit(engine, argv), argv);
  }

  const resolved: string[] = [];
  // Each full id → the references the caller gave for it, in order (docker echoes each one back).
  const refOf = new Map<string, string[]>();
  const failures: string[] = [];
  const failedRefs: string[] = [];
  for (const ref of refs) {
    const r = resolveContainer(ref, mine);
    if (r.kind === 'found') {
      resolved.push(r.id);
      refOf.set(r.id, [...(refOf.get(r.id) ?? []), ref]);
    } else {
      failures.push(r.kind === 'ambiguous' ? ambiguousPrefix(ref) : noSuchContainer(command, ref));
      failedRefs.push(ref);
    }
  }
  for (const f of failures) process.stderr.write(`${f}\n`);
  // `rm -f` of a container that does not exist is not an error for docker.
  const failCode =
    command === 'rm' && isSet(cmd.flags, 'force') && failures.every((f) => !f.includes('multiple IDs')) ? 0 : 1;
  if (resolved.length === 0) {
    if (command === 'start') process.stderr.write(`Error: failed to start containers: ${refs.join(', ')}\n`);
    return allowed(failures.length > 0 ? failCode : 0, [], { note: 'no such container' });
  }

  let run = cmd;
  if (command === 'exec') {
    const pinned = await execUser(ctx, resolved[0], cmd);
    if (typeof pinned === 'string')
      return refused(
        'root-user',
        pinned,
        'Leave out -u: exec runs as the user the container was created with (cida-docker pins it as uid:gid).',
      );
    run = pinned;
  }
  if (command === 'start' || command === 'restart') {
    // Only containers the broker created with a pinned numeric user; the engine resolves it again now.
    const unpinned = resolved.filter((id) => readRecord(ctx.records, id) === null);
    if (unpinned.length > 0)
      return refused(
        'root-user',
        `${command} ${refOf.get(unpinned[0])?.[0] ?? unpinned[0]}: this container was not created by cida-docker run, so the user it would run as was never checked and pinned`,
        'Create it with cida-docker run (it pins a non-root uid:gid), then start and stop it as you like.',
      );
    // The per-developer ceiling counts what start (or restart of a stopped one) would add, as run counts what it creates.
    const max = ctx.policy.run.maxContainersPerUser;
    const adding = new Set(resolved.filter((id) => !all.find((e) => e.id === id)?.running)).size;
    const running = ownedBy(all, caller.uid).filter((e) => e.running).length;
    if (!ctx.admin && adding > 0 && running + adding > max)
      return refused(
        'resource-limits',
        `${command === 'start' ? 'starting' : 'restarting'} ${adding} stopped container${adding === 1 ? '' : 's'} would make ${running + adding} running containers; this host allows ${max} per developer (policy run.maxContainersPerUser)`,
        'Stop (cida-docker stop) or remove (cida-docker rm -f) containers you no longer need, then start again.',
      );
  }

  // exec -e NAME=value: the value travels in docker's environment, not on a command line others read.
  const { cmd: final, values } = containerValues({ ...run, args: [...resolved, ...rest] });
  const argv = emitDockerArgv(final);
  const attached = command === 'start' && (isSet(cmd.flags, 'attach') || isSet(cmd.flags, 'interactive'));
  if (attached) return attachedStart(ctx, resolved, argv, values);
  const code = ECHOING.has(command)
    ? await runMappingStdout(engine, argv, (line) => refOf.get(line)?.shift() ?? line)
    : await runInherit(engine, argv, true, values);
  ctx.started?.();
  if (command === 'start' || command === 'restart') {
    const root = await rootAfterStart(ctx, resolved);
    if (root !== null)
      return refused(
        'root-user',
        root,
        'Rebuild the image with USER set to a non-root uid:gid and keep /etc/passwd and /etc/group read-only for it.',
      );
  }
  if (failures.length > 0 && command === 'start' && code === 0)
    process.stderr.write(`Error: failed to start containers: ${failedRefs.join(', ')}\n`);
  return allowed(failures.length > 0 && code === 0 ? failCode : code, argv);
}

/** How long an attached start may take to get its container running before the checks give up waiting. */
const ATTACH_START_WAIT_MS = 30_000;

/**
 * `start -a`/`-i` stays attached for the container's life: the user check cannot wait for it to
 * end, nor may the caller's ceiling lock be held that long. Once the container runs (or docker
 * gives up), its main process is checked in /proc (a root one is removed, which ends the
 * attachment) and the lock is let go; then the attachment runs its course.
 */
async function attachedStart(
  ctx: BrokerContext,
  ids: readonly string[],
  argv: readonly string[],
  values: Readonly<Record<string, string>>,
): Promise<Outcome> {
  let ended = false;
  const attachment = runInherit(ctx.engine, argv, true, values).finally(() => {
    ended = true;
  });
  const until = Date.now() + ATTACH_START_WAIT_MS;
  const running = async (): Promise<boolean> => {
    for (const id of ids) if ((await inspectState(ctx.engine, id))?.running !== true) return false;
    return true;
  };
  while (!ended && Date.now() < until && !(await running())) await new Promise((r) => setTimeout(r, 50));
  const root = await rootAfterStart(ctx, ids);
  ctx.started?.();
  const code = await attachment;
  if (root !== null)
    return refused(
      'root-user',
      root,
      'Rebuild the image with USER set to a non-root uid:gid and keep /etc/passwd and /etc/group read-only for it.',
    );
  return allowed(code, argv);
}

/** Verbs whose process identity the engine resolves again: exec (with -u), start and restart. */
const PINNED = new Set(['exec', 'start', 'restart']);

/**
 * exec runs as the identity the container was created with: without -u the engine uses the
 * start-time identity (checked in /proc when it started); a -u is looked up again in files the
 * container can rewrite, so it is accepted only when it names that same identity, and dropped.
 * Returns the command to run, or why not.
 */
async function execUser(ctx: BrokerContext, id: string, cmd: ParsedCommand): Promise<ParsedCommand | string> {
  const user = lastValue(cmd.flags, 'user');
  if (user === undefined) return cmd;
  const record = readRecord(ctx.records, id);
  if (record === null)
    return `exec -u ${user}: this container was not created by cida-docker run, so it has no pinned user to compare with`;
  const r = await containerIdentity(ctx.engine, id, user);
  if (r.kind !== 'ok') return `exec -u ${user}: ${r.why}`;
  const root = rootPart(r.id);
  if (root !== null) return `exec -u ${user}: that user has ${root} in the container`;
  const { uid, gid } = record.runAs;
  if (r.id.uid !== uid || r.id.gid !== gid)
    return `exec -u ${user}: that is ${r.id.uid}:${r.id.gid} in the container, not ${uid}:${gid}, the user the container was created with`;
  const flags = { ...cmd.flags };
  delete flags.user;
  return { ...cmd, flags };
}

/**
 * After start/restart: what of root the main process of each container holds (the engine
 * resolved its user again). A container found running with root anywhere is removed.
 */
async function rootAfterStart(ctx: BrokerContext, ids: readonly string[]): Promise<string | null> {
  for (const id of ids) {
    const state = await inspectState(ctx.engine, id);
    const root = state === null ? null : rootInMainProcess(state.pid);
    if (root !== null) {
      await remove(ctx, id);
      return `container ${id.slice(0, 12)} started with ${root} in its main process (its /etc/passwd or /etc/group changed); it was removed`;
    }
  }
  return null;
}

/** The id of the image `ref` names (`sha256:…`), or null when it names none. */
async function imageIdOf(engine: Engine, ref: string): Promise<string | null> {
  const r = await capture(engine, ['image', 'inspect', '--format', '{{.Id}}', '--', ref]);
  const id = r.stdout.trim();
  return r.code === 0 && /^sha256:[0-9a-f]{64}$/.test(id) ? id : null;
}

async function runningOnly(engine: Engine, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await capture(engine, ['ps', '--no-trunc', '--quiet']);
  const running = new Set(r.stdout.split('\n').map((l) => l.trim()));
  return ids.filter((id) => running.has(id));
}

/** What docker's inspector prints when it found nothing: `[]` for JSON, an empty line for a template. */
function emptyInspection(format: string | undefined): string {
  return format === undefined || format === '' || format === 'json' ? '[]\n' : '\n';
}

/**
 * `inspect`, `container inspect` and `image inspect` (`only`: the type the spelling reads): the
 * caller's own containers and any image (images are shared); somebody else's container is
 * reported as docker reports a missing object. Other object types are not offered.
 */
async function inspect(ctx: BrokerContext, cmd: ParsedCommand, only: 'container' | 'image' | null): Promise<Outcome> {
  const { engine, caller } = ctx;
  const type = only ?? lastValue(cmd.flags, 'type') ?? '';
  if (type !== '' && type !== 'container' && type !== 'image') {
    return refused(
      'supported-command',
      `inspect --type ${type}: cida-docker inspects containers and images only`,
      'Inspect your containers or an image.',
    );
  }
  // Images are shared and an image lookup never finds a container: nothing to list.
  const all = type === 'image' ? [] : await allContainers(ctx);
  const mine = ownedBy(all, caller.uid);
  const kept: string[] = [];
  const errors: string[] = [];
  let containers = 0;
  for (const ref of cmd.args) {
    if (type === 'image') {
      kept.push(ref);
      continue;
    }
    const own = resolveContainer(ref, mine);
    if (own.kind === 'found') {
      kept.push(own.id);
      containers++;
    } else if (own.kind === 'ambiguous') errors.push(ambiguousPrefix(ref));
    else if (type === 'container') errors.push(noSuchContainer('inspect', ref));
    else {
      // Not one of the caller's containers: an image, handed to docker by its id (`sha256:…` names
      // no container, so docker cannot resolve it to somebody else's), or docker's answer for a
      // missing object — also when it names somebody else's container: no difference shows.
      const image = await imageIdOf(engine, ref);
      if (image !== null) kept.push(image);
      else errors.push(`Error: No such object: ${ref}`);
    }
  }
  if (kept.length === 0) {
    process.stdout.write(emptyInspection(lastValue(cmd.flags, 'format')));
    for (const e of errors) process.stderr.write(`${e}\n`);
    return allowed(1, [], { note: 'no such object' });
  }
  const flags = { ...cmd.flags };
  if (only === null) {
    if (type === '') flags.type = [containers === kept.length ? 'container' : containers === 0 ? 'image' : ''];
    if (flags.type[0] === '') delete flags.type;
  }
  const argv = emitDockerArgv({ ...cmd, flags, args: kept });
  const code = await runInherit(engine, argv);
  for (const e of errors) process.stderr.write(`${e}\n`);
  return allowed(errors.length > 0 ? 1 : code, argv);
}
