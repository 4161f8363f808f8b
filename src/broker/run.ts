// `run`, as the broker carries it out: create (with the forced flags) → check the user the
// container will run as → start → check the uid of its main process and its published ports →
// print the id (detached), or behave as docker's foreground run does (stream the logs or attach,
// wait, exit with the container's code, remove it if --rm).
import fs from 'node:fs';
import tty from 'node:tty';
import { emitDockerArgv } from '../docker/emit.js';
import { COMMANDS } from '../docker/flag-table.js';
import { isSet, lastValue, type ParsedCommand } from '../docker/model.js';
import { ruleById } from '../guards/index.js';
import { PIPED_STDIN } from '../guards/detached-service.js';
import { formatViolations } from '../guards/report.js';
import { capture, type Engine, lastSignal, onSignals, runInherit, signalExitCode } from './engine.js';
import { allowed, type BrokerContext, type Outcome } from './outcome.js';
import { firstTarFile, uidOfUserSpec, uidsFromStatus } from './passwd.js';

/** Flags of `run` that `create` does not have: the broker handles them itself. */
const RUN_ONLY = new Set(['detach', 'detach-keys', 'sig-proxy']);

/** The `create` command equivalent to a (forced) `run`. `keepRm` false drops --rm (foreground: the broker removes). */
export function createFromRun(run: ParsedCommand, keepRm: boolean): ParsedCommand {
  const known = new Set(COMMANDS.create.flags.map((f) => f.long));
  const flags: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(run.flags)) {
    if (RUN_ONLY.has(name) || (name === 'rm' && !keepRm)) continue;
    if (!known.has(name)) throw new Error(`run flag --${name} has no create equivalent`);
    flags[name] = values;
  }
  const words = run.words.length === 2 ? [run.words[0], 'create'] : ['create'];
  return { ...run, command: 'create', words, flags };
}

function refusal(ctx: BrokerContext, ruleId: string, message: string, finalArgv: readonly string[], container: string, fix?: string): Outcome {
  const r = ruleById(ruleId);
  process.stderr.write(`${formatViolations([{ rule: r.id, message, fix: fix ?? r.fix }])}\n`);
  return { exit: 77, verdict: 'refused', rules: [r.id], finalArgv, container, note: message };
}

/** Interrupted before the container was ready: it is removed, and the exit code says which signal. */
async function interrupted(engine: Engine, id: string, finalArgv: readonly string[]): Promise<Outcome | null> {
  if (lastSignal === null) return null;
  await remove(engine, id);
  process.stderr.write(`cida-docker: interrupted (${lastSignal}); the container was removed\n`);
  return { exit: signalExitCode(lastSignal), verdict: 'allowed', rules: [], finalArgv, container: id, note: `interrupted by ${lastSignal}` };
}

async function remove(engine: Engine, id: string): Promise<void> {
  await capture(engine, ['rm', '--force', '--volumes', '--', id]);
}

/** docker run's exit code for a container that would not start (cli/command/container/run.go). */
function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|cannot execute/i.test(message)) return 126;
  return 125;
}

/** The container's /etc/passwd, read through the engine (never from a host path). */
async function containerPasswd(engine: Engine, id: string): Promise<string | null> {
  const r = await capture(engine, ['cp', '--', `${id}:/etc/passwd`, '-'], { binary: true });
  if (r.code !== 0) return null;
  const file = firstTarFile(Buffer.from(r.stdout, 'latin1'));
  return file === null ? null : file.toString('utf8');
}

/** The uid `userSpec` means inside container `id`. */
export async function containerUid(engine: Engine, id: string, userSpec: string) {
  const needsPasswd = !/^\d*(:.*)?$/.test(userSpec);
  return uidOfUserSpec(userSpec, needsPasswd ? await containerPasswd(engine, id) : null);
}

interface Inspected {
  readonly pid: number;
  readonly running: boolean;
  readonly ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
}

async function inspectState(engine: Engine, id: string): Promise<Inspected | null> {
  const r = await capture(engine, ['inspect', '--type', 'container', '--format', '{{json .State}}\t{{json .NetworkSettings.Ports}}', '--', id]);
  if (r.code !== 0) return null;
  const [state, ports] = r.stdout.trim().split('\t');
  try {
    const s = JSON.parse(state) as { Pid: number; Running: boolean };
    return { pid: s.Pid, running: s.Running, ports: JSON.parse(ports) };
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

export async function brokerRun(ctx: BrokerContext, asked: ParsedCommand, forced: ParsedCommand): Promise<Outcome> {
  const { engine, policy } = ctx;
  const foreground = !isSet(asked.flags, 'detach');
  const interactive = isSet(forced.flags, 'interactive');
  const autoRemove = isSet(forced.flags, 'rm');
  const runArgv = emitDockerArgv(forced);
  if (foreground && interactive && !tty.isatty(0)) {
    process.stderr.write(`${formatViolations([PIPED_STDIN])}\n`);
    return { exit: 77, verdict: 'refused', rules: [PIPED_STDIN.rule], finalArgv: [], note: PIPED_STDIN.message };
  }

  // 1. Create. docker create prints the id on stdout; pull progress and errors go to the caller's stderr.
  const create = emitDockerArgv(createFromRun(forced, !foreground && autoRemove));
  const created = await capture(engine, create, { inheritStderr: true });
  const id = created.stdout.trim().split('\n').pop() ?? '';
  if (created.code !== 0 || !/^[0-9a-f]{64}$/.test(id)) {
    if (/^[0-9a-f]{64}$/.test(id)) await remove(engine, id);
    return allowed(lastSignal ? signalExitCode(lastSignal) : 125, runArgv, { note: 'create failed' });
  }
  const afterCreate = await interrupted(engine, id, runArgv);
  if (afterCreate) return afterCreate;

  // 2. The user it will run as (the -u given, else the image's USER) must not be root.
  const userR = await capture(engine, ['inspect', '--type', 'container', '--format', '{{json .Config.User}}', '--', id]);
  let userSpec: string;
  try {
    userSpec = JSON.parse(userR.stdout.trim()) as string;
  } catch {
    await remove(engine, id);
    process.stderr.write('cida-docker: cannot read the container user from the engine\n');
    return allowed(125, runArgv, { container: id, note: 'inspect failed' });
  }
  const given = lastValue(asked.flags, 'user');
  const who = given !== undefined ? `-u ${given}` : userSpec === '' ? 'the image sets no USER, so it runs as root' : `the image's USER ${userSpec}`;
  const uid = await containerUid(engine, id, userSpec);
  if (uid.kind === 'uid' && uid.uid === 0) {
    await remove(engine, id);
    return refusal(ctx, 'root-user', `the container would run as root (${who})`, runArgv, id,
      'Run as a non-root user: -u 1000, or set USER to a non-root uid in the Dockerfile.');
  }

  const beforeStart = await interrupted(engine, id, runArgv);
  if (beforeStart) return beforeStart;

  // 3. Start.
  const started = await capture(engine, ['start', '--', id]);
  if (started.code !== 0) {
    const message = started.stderr.split('\n').find((l) => l.startsWith('Error response from daemon')) ?? started.stderr.trim();
    process.stderr.write(`docker: ${message}\n\nRun 'docker run --help' for more information\n`);
    if (autoRemove) await remove(engine, id);
    return allowed(startFailureCode(message), runArgv, { container: id, note: 'start failed' });
  }

  // 4. Verify what the engine actually did: the main process's uid, and the host ports.
  const state = await inspectState(engine, id);
  if (state === null) {
    await remove(engine, id);
    process.stderr.write('cida-docker: cannot inspect the new container; it was removed\n');
    return allowed(125, runArgv, { container: id, note: 'inspect failed' });
  }
  if (state.pid > 0) {
    let uids: number[] | null = null;
    try {
      uids = uidsFromStatus(fs.readFileSync(`/proc/${state.pid}/status`, 'utf8'));
    } catch {
      // The process is gone already; nothing runs as anybody.
    }
    if (uids !== null && uids.includes(0)) {
      await remove(engine, id);
      return refusal(ctx, 'root-user', `the container's main process runs as uid 0 (${who}); it was removed`, runArgv, id,
        'Set USER to a non-root uid in the Dockerfile (a user name can be uid 0 inside an image), or give -u with a non-root uid.');
    }
  }
  const { min, max } = policy.publishedPorts;
  const outside = describePorts(state.ports).filter((p) => {
    const port = Number(p.slice(p.lastIndexOf(':') + 1));
    return !(port >= min && port <= max);
  });
  if (outside.length > 0) {
    await remove(engine, id);
    return refusal(ctx, 'published-ports', `the engine published host port(s) outside ${min}–${max}: ${outside.join(', ')}; the container was removed`, runArgv, id,
      `Administrator: set net.ipv4.ip_local_port_range="${min} ${max}" (sysctl -w, and in /etc/sysctl.d), then restart the engine; \`cida-docker doctor\` checks it.`);
  }

  const afterStart = await interrupted(engine, id, runArgv);
  if (afterStart) return afterStart;

  if (!foreground) {
    process.stdout.write(`${id}\n`);
    if (tty.isatty(2)) {
      const ports = describePorts(state.ports);
      if (ports.length > 0) process.stderr.write(`published: ${ports.join(', ')}\n`);
    }
    return allowed(0, runArgv, { container: id });
  }
  return allowed(await foregroundRun(engine, id, interactive && tty.isatty(0), asked, autoRemove), runArgv, { container: id });
}

/** docker's foreground run, emulated: logs (or attach), wait, exit code, --rm; Ctrl-C stops it. */
async function foregroundRun(engine: Engine, id: string, attach: boolean, asked: ParsedCommand, autoRemove: boolean): Promise<number> {
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
    if (autoRemove) await remove(engine, id);
    return code;
  } finally {
    release();
  }
}
