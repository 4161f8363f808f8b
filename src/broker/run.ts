// `run`, as the broker carries it out: create (with the forced flags) → check the user the
// container will run as → start → check the uid of its main process and its published ports →
// print the id (detached), or behave as docker's foreground run does (stream the logs or attach,
// wait, exit with the container's code, remove it if --rm).
import fs from 'node:fs';
import tty from 'node:tty';
import { emitDockerArgv } from '../docker/emit.js';
import { createFromRun } from '../guards/final-argv.js';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';
import { ruleById } from '../guards/index.js';
import { PIPED_STDIN } from '../guards/detached-service.js';
import { formatViolations } from '../guards/report.js';
import { capture, containerValues, type Engine, lastSignal, onSignals, runInherit, signalExitCode } from './engine.js';
import { allowed, type BrokerContext, type Outcome, refused } from './outcome.js';
import { BUILD_NETWORK, imageRunVerdict } from './build.js';
import { pullReplacesBuild } from './images.js';
import { type ContainerEntry, listContainers, ownedBy } from './containers.js';
import { scrubForeignIds } from './scrub.js';
import { lockRefusal, locksOf, takeCallerLock } from './caller-lock.js';
import { removeRecord, writeRecord } from './ownership.js';
import { additionalGroups, type Identity, type Resolved, resolveUserSpec, rootPart } from '../docker/user-spec.js';
import {
  firstTarFile,
  idsFromStatus,
  MAX_ACCOUNT_FILE_BYTES,
  rootInProc,
  type TarHeader,
  tarHeader,
  writableBy,
} from './passwd.js';

export { createFromRun } from '../guards/final-argv.js';

function refusal(
  ctx: BrokerContext,
  ruleId: string,
  message: string,
  finalArgv: readonly string[],
  container: string,
  fix?: string,
): Outcome {
  return refused(ruleId, message, fix ?? ruleById(ruleId).fix, { finalArgv, ...(container ? { container } : {}) });
}

/** Interrupted before the container was ready: it is removed, and the exit code says which signal. */
async function interrupted(ctx: BrokerContext, id: string, finalArgv: readonly string[]): Promise<Outcome | null> {
  if (lastSignal === null) return null;
  await remove(ctx, id);
  process.stderr.write(`cida-docker: interrupted (${lastSignal}); the container was removed\n`);
  return {
    exit: signalExitCode(lastSignal),
    verdict: 'allowed',
    rules: [],
    finalArgv,
    container: id,
    note: `interrupted by ${lastSignal}`,
  };
}

/** Removes a container and the broker's record of it. */
export async function remove(ctx: BrokerContext, id: string): Promise<void> {
  await capture(ctx.engine, ['rm', '--force', '--volumes', '--', id]);
  removeRecord(ctx.records, id);
}

/** docker run's exit code for a container that would not start (cli/command/container/run.go). */
function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|cannot execute/i.test(message)) return 126;
  return 125;
}

/** A file of the container, read through the engine (never from a host path), at most `max` bytes. */
async function containerFile(
  engine: Engine,
  id: string,
  file: string,
): Promise<{ text: string | null } | { error: string }> {
  // -L: the engine resolves a symlinked /etc/passwd inside the container, as it does for the user lookup.
  const r = await capture(engine, ['cp', '-L', '--', `${id}:${file}`, '-'], {
    binary: true,
    maxBytes: MAX_ACCOUNT_FILE_BYTES + 64 * 1024,
  });
  if (r.overflow) return { error: `the image's ${file} is larger than ${MAX_ACCOUNT_FILE_BYTES / 1024 / 1024} MiB` };
  if (r.code !== 0) {
    // Missing: the engine goes on without it, and so does the lookup.
    if (/Could not find the file|no such file or directory/i.test(r.stderr)) return { text: null };
    return { error: `cannot read the image's ${file}` };
  }
  const entry = firstTarFile(Buffer.from(r.stdout, 'latin1'));
  if (entry === null) return { error: `cannot read the image's ${file}` };
  if (entry.type !== 'file') return { error: `the image's ${file} is not a regular file` };
  if (entry.content.length > MAX_ACCOUNT_FILE_BYTES)
    return { error: `the image's ${file} is larger than ${MAX_ACCOUNT_FILE_BYTES / 1024 / 1024} MiB` };
  return { text: entry.content.toString('utf8') };
}

/** The container's /etc/passwd and /etc/group (null where missing), or why they cannot be read. */
export async function accountFiles(
  engine: Engine,
  id: string,
): Promise<{ passwd: string | null; group: string | null } | { error: string }> {
  const passwd = await containerFile(engine, id, '/etc/passwd');
  if ('error' in passwd) return passwd;
  const group = await containerFile(engine, id, '/etc/group');
  if ('error' in group) return group;
  return { passwd: passwd.text, group: group.text };
}

/** The numeric identity `userSpec` (plus --group-add entries) means inside container `id`. */
export async function containerIdentity(
  engine: Engine,
  id: string,
  userSpec: string,
  groupAdd: readonly string[] = [],
): Promise<Resolved> {
  const files = await accountFiles(engine, id);
  if ('error' in files) return { kind: 'error', why: files.error };
  const r = resolveUserSpec(userSpec, files.passwd, files.group);
  if (r.kind !== 'ok' || groupAdd.length === 0) return r;
  const added = additionalGroups(groupAdd, files.group);
  if (typeof added === 'string') return { kind: 'error', why: added };
  return { kind: 'ok', id: { ...r.id, groups: [...new Set([...r.id.groups, ...added])] } };
}

/** What `docker cp` says about a path in the container (its first tar header), or null when it is missing. */
async function pathHeader(engine: Engine, id: string, file: string): Promise<TarHeader | null> {
  // Only the first header is wanted: the cap stops docker once it has been read.
  const r = await capture(engine, ['cp', '--', `${id}:${file}`, '-'], { binary: true, maxBytes: 512 });
  return tarHeader(Buffer.from(r.stdout, 'latin1'));
}

/**
 * The engine (and runc) look the user and its groups up again in the container's own files at
 * every start, restart (the engine's own, with --restart, too) and exec. Returns which of the
 * paths that decide them the service user could change, or null.
 */
export async function rewritableAccountFiles(engine: Engine, id: string, who: Identity): Promise<string | null> {
  for (const p of ['/', '/etc', '/etc/passwd', '/etc/group']) {
    const h = await pathHeader(engine, id, p);
    if (h === null) {
      if (p === '/etc/passwd' || p === '/etc/group') continue; // missing: /etc decides whether it can appear
      return `${p} (unreadable)`;
    }
    if (writableBy(h, who)) return p;
  }
  return null;
}

interface Created {
  readonly user: string;
  readonly image: string;
  readonly exposed: number;
}

async function inspectCreated(engine: Engine, id: string): Promise<Created | null> {
  const r = await capture(engine, [
    'inspect',
    '--type',
    'container',
    '--format',
    '[{{json .Config.User}},{{json .Image}},{{json .Config.ExposedPorts}}]',
    '--',
    id,
  ]);
  if (r.code !== 0) return null;
  try {
    const [user, image, exposed] = JSON.parse(r.stdout) as [unknown, unknown, unknown];
    if (typeof user !== 'string' || typeof image !== 'string') return null;
    return { user, image, exposed: exposed !== null && typeof exposed === 'object' ? Object.keys(exposed).length : 0 };
  } catch {
    return null;
  }
}

interface Inspected {
  readonly pid: number;
  readonly running: boolean;
  readonly ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
}

export async function inspectState(engine: Engine, id: string): Promise<Inspected | null> {
  const r = await capture(engine, [
    'inspect',
    '--type',
    'container',
    '--format',
    '[{{json .State}},{{json .NetworkSettings.Ports}}]',
    '--',
    id,
  ]);
  if (r.code !== 0) return null;
  try {
    const [s, ports] = JSON.parse(r.stdout) as [{ Pid: number; Running: boolean }, Inspected['ports']];
    if (typeof s?.Pid !== 'number') return null;
    return { pid: s.Pid, running: s.Running === true, ports: ports ?? null };
  } catch {
    return null;
  }
}

function describePorts(ports: Inspected['ports']): string[] {
  const out: string[] = [];
  for (const [port, bindings] of Object.entries(ports ?? {}))
    for (const b of bindings ?? []) out.push(`${port} -> ${b.HostIp === '' ? '0.0.0.0' : b.HostIp}:${b.HostPort}`);
  return out;
}

/**
 * What of root the container's main process holds, read from /proc (the engine resolved the
 * user again when it started it); null when nothing, or when it has already exited.
 */
export function rootInMainProcess(pid: number): string | null {
  if (!(pid > 0)) return null;
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null; // gone already: nothing runs as anybody
  }
  const ids = idsFromStatus(status);
  return ids === null ? 'unreadable ids' : rootInProc(ids);
}

/**
 * The --network value (plain or `name=…` long syntax) that names the build network, by name or by
 * id prefix as the engine resolves it, or null.
 */
async function joinsBuildNetwork(engine: Engine, values: readonly string[]): Promise<string | null> {
  if (values.length === 0) return null;
  const r = await capture(engine, ['network', 'inspect', '--format', '{{json .Id}}', '--', BUILD_NETWORK]);
  let id = '';
  try {
    id = r.code === 0 ? String(JSON.parse(r.stdout)) : '';
  } catch {
    id = '';
  }
  for (const v of values) {
    const name = /(^|,)name=([^,]*)/.exec(v)?.[2] ?? (v.includes('=') ? '' : v);
    if (name === BUILD_NETWORK || (id !== '' && name !== '' && /^[0-9a-f]+$/.test(name) && id.startsWith(name)))
      return v;
  }
  return null;
}

/** The containers the caller owns (their ownership records), or null when the engine cannot list them. */
async function ownContainers(ctx: BrokerContext): Promise<ContainerEntry[] | null> {
  const listed = await listContainers(ctx);
  return Array.isArray(listed) ? ownedBy(listed, ctx.caller.uid) : null;
}

export async function brokerRun(ctx: BrokerContext, asked: ParsedCommand, forced: ParsedCommand): Promise<Outcome> {
  const { engine, policy, caller } = ctx;
  const foreground = !isSet(asked.flags, 'detach');
  const interactive = isSet(forced.flags, 'interactive');
  const autoRemove = isSet(forced.flags, 'rm');
  const runArgv = emitDockerArgv(forced);
  if (foreground && interactive && !tty.isatty(0)) {
    process.stderr.write(`${formatViolations([PIPED_STDIN])}\n`);
    return { exit: 77, verdict: 'refused', rules: [PIPED_STDIN.rule], finalArgv: [], note: PIPED_STDIN.message };
  }
  const onBuild = await joinsBuildNetwork(engine, forced.flags.network ?? []);
  if (onBuild !== null)
    return refusal(
      ctx,
      'host-namespace',
      `--network ${onBuild}: that is ${BUILD_NETWORK}, the network approved builds run their RUN steps on as root; a service there could answer for any host they fetch from`,
      runArgv,
      '',
      'Leave out --network (the default bridge), or use a network of your own service.',
    );
  const maxRunning = policy.run.maxContainersPerUser;
  const mine = ctx.admin ? [] : await ownContainers(ctx);
  if (mine === null) {
    process.stderr.write('cida-docker: cannot list your containers through the engine; nothing was created\n');
    return allowed(125, runArgv, { note: 'listing failed' });
  }
  if (mine.filter((e) => e.running).length >= maxRunning)
    return refusal(
      ctx,
      'resource-limits',
      `you already have ${maxRunning} running containers, this host's ceiling per developer (policy run.maxContainersPerUser)`,
      runArgv,
      '',
      'Stop (cida-docker stop) or remove (cida-docker rm -f) containers you no longer need, then run again.',
    );
  // Docker's messages (a name conflict) may name somebody else's container: never pass that id on.
  const own = new Set(mine.map((e) => e.id));
  const hideIds = ctx.admin ? undefined : (line: string): string => scrubForeignIds(line, own);

  // --pull always re-points the image's name: not a name on another developer's build (images.ts).
  // So does --platform when the local image is another platform's: docker then pulls the name.
  const pullAlways = lastValue(forced.flags, 'pull') === 'always';
  if (pullAlways || lastValue(forced.flags, 'platform') !== undefined) {
    const how = pullAlways ? 'run --pull always' : 'run --platform';
    const replaces = await pullReplacesBuild(ctx, forced.args[0] ?? '', false, ctx.store(), how);
    if (replaces !== null) return { ...replaces, finalArgv: runArgv };
  }
  // 1. Create, with the user as given (or the image's USER). docker create prints the id on
  //    stdout; pull progress and errors go to the caller's stderr.
  const create = createFromRun(forced, !foreground && autoRemove);
  let id = await createContainer(ctx, create, hideIds);
  if (typeof id !== 'string')
    return allowed(lastSignal ? signalExitCode(lastSignal) : id.code, runArgv, { note: 'create failed' });
  const afterCreate = await interrupted(ctx, id, runArgv);
  if (afterCreate) return afterCreate;

  // 2. The identity it would run as, resolved once in the image's own files; root in any part is refused.
  const made = await inspectCreated(engine, id);
  if (made === null) {
    await remove(ctx, id);
    process.stderr.write('cida-docker: cannot read the new container from the engine; it was removed\n');
    return allowed(125, runArgv, { note: 'inspect failed' });
  }
  // The image: built here from an approval still approved, or from a trusted registry (run.requireApprovedImage).
  const image = imageRunVerdict(made.image, forced.args[0] ?? '', policy, ctx.store());
  if (!image.ok) {
    await remove(ctx, id);
    return refusal(ctx, image.rule, `${image.message}; the container was removed`, runArgv, '', image.fix);
  }
  const given = lastValue(asked.flags, 'user');
  const who =
    given !== undefined
      ? `-u ${given}`
      : made.user === ''
        ? 'the image sets no USER, so it runs as root'
        : `the image's USER ${made.user}`;
  const resolved = await containerIdentity(engine, id, made.user, forced.flags['group-add'] ?? []);
  if (resolved.kind !== 'ok') {
    await remove(ctx, id);
    return refusal(
      ctx,
      'root-user',
      `cannot tell which user the container would run as (${who}): ${resolved.why}; it was removed`,
      runArgv,
      '',
      'Run as a non-root numeric user: -u 10001:10001, or set USER 10001:10001 in the Dockerfile.',
    );
  }
  const root = rootPart(resolved.id);
  if (root !== null) {
    await remove(ctx, id);
    return refusal(
      ctx,
      'root-user',
      `the container would run with ${root} (${who})`,
      runArgv,
      '',
      'Run as a non-root user in a non-root group: -u 10001:10001, or set USER 10001:10001 in the Dockerfile.',
    );
  }
  // The engine reads /etc/passwd and /etc/group again at every start, restart and exec (runc looks
  // the numeric groups up by name): they must stay what was just checked.
  const writable = await rewritableAccountFiles(engine, id, resolved.id);
  if (writable !== null) {
    await remove(ctx, id);
    return refusal(
      ctx,
      'root-user',
      `${writable} is writable by the service user (${resolved.id.uid}:${resolved.id.gid}) in this image; the engine reads the account files again at every start and exec, so the container could give itself uid or group 0; it was removed`,
      runArgv,
      '',
      'Keep /, /etc, /etc/passwd and /etc/group owned by root and not writable by the service user (the usual layout).',
    );
  }
  // 3. Pin it: the engine looks a name up again at every start and exec, in files the container
  //    can rewrite. Re-create with the numbers (same image id, no second pull) unless it already is.
  const pinned = `${resolved.id.uid}:${resolved.id.gid}`;
  let finalArgv = runArgv;
  if (made.user !== pinned || resolved.id.groups.length > 0) {
    await remove(ctx, id);
    const again = withFlag(withFlag(create, 'user', pinned), 'pull', 'never');
    const second = await createContainer(ctx, again, hideIds);
    if (typeof second !== 'string')
      return allowed(lastSignal ? signalExitCode(lastSignal) : second.code, runArgv, { note: 'create failed' });
    id = second;
    const check = await inspectCreated(engine, id);
    if (check === null || check.image !== made.image || check.user !== pinned) {
      await remove(ctx, id);
      process.stderr.write(
        'cida-docker: the image changed while the container was being created; it was removed. Run again.\n',
      );
      return allowed(125, runArgv, { note: 'image changed during create' });
    }
    finalArgv = emitDockerArgv(withFlag(forced, 'user', pinned));
  }
  const maxPorts = policy.run.maxPortsPerContainer;
  if (made.exposed > maxPorts) {
    await remove(ctx, id);
    return refusal(
      ctx,
      'published-ports',
      `the container would publish ${made.exposed} ports (the image's EXPOSE, --expose and -p together); this host allows ${maxPorts} per container (policy run.maxPortsPerContainer); it was removed`,
      finalArgv,
      '',
      'Expose only the ports the service listens on (fewer EXPOSE lines, no wide --expose ranges).',
    );
  }
  // 4. Record the owner: from here on the container is the caller's, and only because of this record.
  writeRecord(ctx.records, {
    id,
    uid: caller.uid,
    user: caller.user,
    runAs: { uid: resolved.id.uid, gid: resolved.id.gid },
    image: made.image,
    created: new Date().toISOString(),
  });

  const beforeStart = await interrupted(ctx, id, finalArgv);
  if (beforeStart) return beforeStart;

  // 5. Start, under the caller's lock: the count again, then the start, as one step, so that
  //    concurrent runs (and starts) of one developer cannot all pass the count made before the
  //    create. Held only here (not across a pull), around the broker's own engine calls.
  let started: Awaited<ReturnType<typeof capture>>;
  if (ctx.admin) started = await capture(engine, ['start', '--', id]);
  else {
    const lock = await takeCallerLock(locksOf(ctx), caller.uid, 'run');
    if (!lock.held) {
      const stopped = await interrupted(ctx, id, finalArgv);
      if (stopped) return stopped;
      await remove(ctx, id);
      return lockRefusal(`${lock.why}; the container was removed`, { finalArgv });
    }
    try {
      let now: ContainerEntry[] | null;
      try {
        now = await ownContainers(ctx);
      } catch (e) {
        await remove(ctx, id);
        throw e;
      }
      if (now === null) {
        await remove(ctx, id);
        process.stderr.write('cida-docker: cannot list your containers through the engine; nothing was started\n');
        return allowed(125, finalArgv, { note: 'listing failed' });
      }
      if (now.filter((e) => e.running && e.id !== id).length >= maxRunning) {
        await remove(ctx, id);
        return refusal(
          ctx,
          'resource-limits',
          `you already have ${maxRunning} running containers, this host's ceiling per developer (policy run.maxContainersPerUser; another run or start of yours got there first); the container was removed`,
          finalArgv,
          '',
          'Stop (cida-docker stop) or remove (cida-docker rm -f) containers you no longer need, then run again.',
        );
      }
      started = await capture(engine, ['start', '--', id]);
    } finally {
      lock.release();
    }
  }
  if (started.code !== 0) {
    const message =
      started.stderr.split('\n').find((l) => l.startsWith('Error response from daemon')) ?? started.stderr.trim();
    process.stderr.write(`docker: ${message}\n\nRun 'docker run --help' for more information\n`);
    if (autoRemove) await remove(ctx, id);
    return allowed(startFailureCode(message), finalArgv, { container: id, note: 'start failed' });
  }

  // 6. Verify what the engine actually did: the main process's ids, and the host ports.
  const state = await inspectState(engine, id);
  if (state === null) {
    await remove(ctx, id);
    process.stderr.write('cida-docker: cannot inspect the new container; it was removed\n');
    return allowed(125, finalArgv, { container: id, note: 'inspect failed' });
  }
  const rootNow = rootInMainProcess(state.pid);
  if (rootNow !== null) {
    await remove(ctx, id);
    return refusal(
      ctx,
      'root-user',
      `the container's main process runs with ${rootNow} (${who}); it was removed`,
      finalArgv,
      id,
      'Set USER to a non-root uid and group in the Dockerfile (USER 10001:10001), or give -u 10001:10001.',
    );
  }
  const { min, max } = policy.publishedPorts;
  const outside = describePorts(state.ports).filter((p) => {
    const port = Number(p.slice(p.lastIndexOf(':') + 1));
    return !(port >= min && port <= max);
  });
  if (outside.length > 0) {
    await remove(ctx, id);
    return refusal(
      ctx,
      'published-ports',
      `the engine published host port(s) outside ${min}–${max}: ${outside.join(', ')}; the container was removed`,
      finalArgv,
      id,
      `Administrator: set net.ipv4.ip_local_port_range="${min} ${max}" (sysctl -w, and in /etc/sysctl.d), then restart the engine; \`cida-docker doctor\` checks it.`,
    );
  }

  const afterStart = await interrupted(ctx, id, finalArgv);
  if (afterStart) return afterStart;

  if (!foreground) {
    process.stdout.write(`${id}\n`);
    if (tty.isatty(2)) {
      const ports = describePorts(state.ports);
      if (ports.length > 0) process.stderr.write(`published: ${ports.join(', ')}\n`);
    }
    return allowed(0, finalArgv, { container: id });
  }
  return allowed(await foregroundRun(ctx, id, interactive && tty.isatty(0), asked, autoRemove), finalArgv, {
    container: id,
  });
}

function withFlag(cmd: ParsedCommand, name: string, value: string): ParsedCommand {
  return { ...cmd, flags: { ...cmd.flags, [name]: [value] } };
}

/** `docker create`: the new id, or docker's exit code when it failed (its message is on the caller's stderr). */
async function createContainer(
  ctx: BrokerContext,
  create: ParsedCommand,
  mapStderr?: (line: string) => string,
): Promise<string | { code: number }> {
  const { cmd, values } = containerValues(create);
  const created = await capture(ctx.engine, emitDockerArgv(cmd), { inheritStderr: true, mapStderr, values });
  const id = created.stdout.trim().split('\n').pop() ?? '';
  if (created.code !== 0 || !/^[0-9a-f]{64}$/.test(id)) {
    if (/^[0-9a-f]{64}$/.test(id)) await remove(ctx, id);
    return { code: created.code === 0 ? 125 : created.code };
  }
  return id;
}

/** docker's foreground run, emulated: logs (or attach), wait, exit code, --rm; Ctrl-C stops it. */
async function foregroundRun(
  ctx: BrokerContext,
  id: string,
  attach: boolean,
  asked: ParsedCommand,
  autoRemove: boolean,
): Promise<number> {
  const { engine } = ctx;
  let stopping: Promise<unknown> | null = null;
  // The first signal (Ctrl-C, or sudo relaying a TERM) stops the container, a second kills it.
  const release = onSignals(() => {
    if (stopping === null) stopping = capture(engine, ['stop', '--', id]);
    else void capture(engine, ['kill', '--', id]);
  });
  try {
    // Start waiting first, so the exit code is known even if the container is gone soon after.
    const waited = capture(engine, ['wait', '--', id]);
    if (attach && (await inspectState(engine, id))?.running) {
      const keys = lastValue(asked.flags, 'detach-keys');
      const code = await runInherit(engine, ['attach', ...(keys ? [`--detach-keys=${keys}`] : []), '--', id], false);
      if (code !== 0 && !(await inspectState(engine, id))?.running) await runInherit(engine, ['logs', '--', id], false);
      else if ((await inspectState(engine, id))?.running && stopping === null) return 0; // detached with the detach keys: it keeps running
    } else {
      // Not interactive, or already finished: its output so far, and on until it stops.
      await runInherit(engine, ['logs', '--follow', '--', id], false);
    }
    const w = await waited;
    if (stopping !== null) await stopping;
    const code = w.code === 0 && /^\d+\s*$/.test(w.stdout) ? Number(w.stdout.trim()) : 125;
    if (autoRemove) await remove(ctx, id);
    return code;
  } finally {
    release();
  }
}
