// Every verb other than run: isolation between developers. `ps` gets a label filter; the verbs
// naming containers act only on the caller's own, resolved among them as the engine resolves,
// and reach docker as full ids; somebody else's container answers exactly like a missing one.
import { emitDockerArgv } from '../docker/emit.js';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';
import { UID_LABEL } from '../guards/forced-flags.js';
import { ruleById } from '../guards/index.js';
import { formatViolations } from '../guards/report.js';
import { hasInlinePassword } from './audit.js';
import {
  ambiguousPrefix,
  type ContainerEntry,
  LIST_FORMAT,
  noSuchContainer,
  ownedBy,
  parseContainerList,
  resolveContainer,
} from './containers.js';
import { capture, type Engine, runInherit, runMappingStdout } from './engine.js';
import { allowed, type BrokerContext, type Outcome } from './outcome.js';
import { containerUid } from './run.js';

/** Verbs whose first positional is a container (the rest belongs to the command). */
const FIRST_ARG = new Set(['logs', 'exec', 'top', 'port']);
/** Verbs whose every positional is a container. */
const ALL_ARGS = new Set(['stop', 'start', 'restart', 'rm', 'kill', 'wait', 'stats', 'inspect']);
/** Verbs that print each container argument back as given, once done. */
const ECHOING = new Set(['stop', 'start', 'restart', 'rm', 'kill']);

export function isContainerVerb(command: string): boolean {
  return FIRST_ARG.has(command) || ALL_ARGS.has(command);
}

async function listContainers(engine: Engine): Promise<ContainerEntry[]> {
  const r = await capture(engine, ['ps', '--all', '--no-trunc', '--format', LIST_FORMAT]);
  if (r.code !== 0) throw new Error(`cannot list containers: ${r.stderr.trim()}`);
  return parseContainerList(r.stdout);
}

export async function brokerVerb(ctx: BrokerContext, cmd: ParsedCommand): Promise<Outcome> {
  const { engine, caller } = ctx;
  const command = cmd.command ?? '';
  if (command === 'ps' && !ctx.admin) {
    const filtered = { ...cmd, flags: { ...cmd.flags, filter: [...(cmd.flags.filter ?? []), `label=${UID_LABEL}=${caller.uid}`] } };
    const argv = emitDockerArgv(filtered);
    return allowed(await runInherit(engine, argv), argv);
  }
  if (command === 'login' && hasInlinePassword(cmd)) {
    // The password goes to docker on its stdin, never on a root process's command line (ps shows it).
    const password = lastValue(cmd.flags, 'password') ?? '';
    const flags = { ...cmd.flags };
    delete flags.password;
    flags['password-stdin'] = ['true'];
    const argv = emitDockerArgv({ ...cmd, flags });
    const r = await capture(engine, argv, { input: password, inheritStderr: true });
    process.stdout.write(r.stdout);
    return allowed(r.code, argv);
  }
  if (!isContainerVerb(command) || ctx.admin) {
    const argv = emitDockerArgv(cmd);
    return allowed(await runInherit(engine, argv), argv);
  }
  if (command === 'inspect') return inspect(ctx, cmd, await listContainers(engine));

  const all = await listContainers(engine);
  const mine = ownedBy(all, caller.uid);
  const refs = FIRST_ARG.has(command) ? cmd.args.slice(0, 1) : cmd.args;
  const rest = FIRST_ARG.has(command) ? cmd.args.slice(1) : [];

  if (command === 'stats' && refs.length === 0) {
    // Without names docker shows every running container (-a: every container): only the caller's.
    const ids = mine.map((e) => e.id);
    const running = isSet(cmd.flags, 'all') ? ids : await runningOnly(engine, ids);
    if (running.length === 0) {
      if (lastValue(cmd.flags, 'format') === undefined)
        process.stdout.write('CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n');
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
  const failCode = command === 'rm' && isSet(cmd.flags, 'force') && failures.every((f) => !f.includes('multiple IDs')) ? 0 : 1;
  if (resolved.length === 0) {
    if (command === 'start') process.stderr.write(`Error: failed to start containers: ${refs.join(', ')}\n`);
    return allowed(failures.length > 0 ? failCode : 0, [], { note: 'no such container' });
  }

  if (command === 'exec') {
    const user = lastValue(cmd.flags, 'user');
    if (user !== undefined && !/^\d+(:.*)?$/.test(user)) {
      const uid = await containerUid(engine, resolved[0], user);
      if (uid.kind !== 'uid' || uid.uid === 0) {
        const r = ruleById('root-user');
        const message = uid.kind === 'uid' ? `exec -u ${user}: that user is uid 0 in the container` : `exec -u ${user}: ${uid.why}`;
        process.stderr.write(`${formatViolations([{ rule: r.id, message, fix: 'Give -u a non-root numeric uid, or leave it out to use the container\'s own user.' }])}\n`);
        return { exit: 77, verdict: 'refused', rules: [r.id], finalArgv: [], note: message };
      }
    }
  }

  const argv = emitDockerArgv({ ...cmd, args: [...resolved, ...rest] });
  const attached = command === 'start' && (isSet(cmd.flags, 'attach') || isSet(cmd.flags, 'interactive'));
  const code = ECHOING.has(command) && !attached
    ? await runMappingStdout(engine, argv, (line) => refOf.get(line)?.shift() ?? line)
    : await runInherit(engine, argv);
  if (failures.length > 0 && command === 'start' && code === 0)
    process.stderr.write(`Error: failed to start containers: ${failedRefs.join(', ')}\n`);
  return allowed(failures.length > 0 && code === 0 ? failCode : code, argv);
}

async function isImage(engine: Engine, ref: string): Promise<boolean> {
  return (await capture(engine, ['image', 'inspect', '--format', '{{.Id}}', '--', ref])).code === 0;
}

async function runningOnly(engine: Engine, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await capture(engine, ['ps', '--no-trunc', '--quiet']);
  const running = new Set(r.stdout.split('\n').map((l) => l.trim()));
  return ids.filter((id) => running.has(id));
}

/**
 * `inspect`: the caller's own containers and any image (images are shared); somebody else's
 * container is reported as docker reports a missing object. Other object types are not offered.
 */
async function inspect(ctx: BrokerContext, cmd: ParsedCommand, all: readonly ContainerEntry[]): Promise<Outcome> {
  const { engine, caller } = ctx;
  const type = lastValue(cmd.flags, 'type') ?? '';
  if (type !== '' && type !== 'container' && type !== 'image') {
    const r = ruleById('supported-command');
    const message = `inspect --type ${type}: cida-docker inspects containers and images only`;
    process.stderr.write(`${formatViolations([{ rule: r.id, message, fix: 'Inspect your containers or an image.' }])}\n`);
    return { exit: 77, verdict: 'refused', rules: [r.id], finalArgv: [], note: message };
  }
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
    // Not one of the caller's containers: an image, or (somebody else's container, a network, a
    // volume… or nothing) docker's answer for a missing object.
    else if (resolveContainer(ref, all).kind === 'missing' && (await isImage(engine, ref))) kept.push(ref);
    else errors.push(`Error: No such object: ${ref}`);
  }
  if (kept.length === 0) {
    process.stdout.write('[]\n');
    for (const e of errors) process.stderr.write(`${e}\n`);
    return allowed(1, [], { note: 'no such object' });
  }
  const flags = { ...cmd.flags };
  if (type === '') flags.type = [containers === kept.length ? 'container' : containers === 0 ? 'image' : ''];
  if (flags.type[0] === '') delete flags.type;
  const argv = emitDockerArgv({ ...cmd, flags, args: kept });
  const code = await runInherit(engine, argv);
  for (const e of errors) process.stderr.write(`${e}\n`);
  return allowed(errors.length > 0 ? 1 : code, argv);
}
