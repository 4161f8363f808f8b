// Which port range the running dockerd allocates -P ports from. dockerd reads
// net.ipv4.ip_local_port_range once, when it starts (libnetwork's port allocator), so a range set
// later does not reach it. Doctor answers from two kinds of evidence:
//  - direct (root only): host ports the engine chose itself (-P, or -p without a host port) for
//    containers started by this dockerd process; one outside the policy range proves it stale;
//  - inferred: the history setup keeps of the live range (below), read at dockerd's start time.
// Gathering reads /proc and asks the engine; the verdict is a pure function of those facts.
import fs from 'node:fs';
import type { CheckResult } from './doctor.js';
import type { PortRange } from './facts.js';
import { lstat, run, writeFileAtomic } from './sys.js';

/**
 * Every change setup made to the live range, and the live range it found when its last record
 * did not match. Outside /var/lib/cida-docker (0700) so that a developer's doctor can read it.
 */
export const PORT_RANGE_HISTORY_PATH = '/var/lib/cida-docker-port-range-history.json';
/** Entries kept: enough to cover the life of any engine, small enough to read at every doctor. */
export const PORT_RANGE_HISTORY_MAX = 32;
const DOCKERD_PIDFILE = '/var/run/docker.pid';
/** /proc start times are in clock ticks (USER_HZ, 100 on Linux) after btime (whole seconds). */
const CLOCK_TICKS = 100;
/** Start times and record times closer than this count as "at the same time". */
const SLACK_MS = 2000;
/** Containers whose ports doctor reads (bounded: the engine's answer is input like any other). */
const MAX_CONTAINERS = 200;
/** What root's doctor reads of those containers' inspect output at most. */
export const INSPECT_MAX_BYTES = 4 * 1024 * 1024;
/** `docker inspect --format`: the fields allocatedPorts reads, in inspect's own shape, one line per container. */
export const INSPECT_FIELDS =
  '{"Id":{{json .Id}},"Name":{{json .Name}},"State":{"Running":{{json .State.Running}},"StartedAt":{{json .State.StartedAt}}},' +
  '"HostConfig":{"PortBindings":{{json .HostConfig.PortBindings}}},"NetworkSettings":{"Ports":{{json .NetworkSettings.Ports}}}}';

export interface RangeRecord {
  /** ISO time of the record. */
  readonly at: string;
  /** The live range before (undefined when it could not be read). */
  readonly from?: PortRange;
  /** The live range after. Equal to `from` when setup only noted the range it found. */
  readonly to: PortRange;
}

export const rangeText = (r: PortRange): string => `${r.min}–${r.max}`;
const same = (a: PortRange | undefined, b: PortRange | undefined): boolean =>
  a !== undefined && b !== undefined && a.min === b.min && a.max === b.max;
const inRange = (port: number, r: PortRange): boolean => port >= r.min && port <= r.max;
/** Every port an allocator over `inner` hands out lies in `outer`. */
const within = (inner: PortRange, outer: PortRange): boolean => inner.min >= outer.min && inner.max <= outer.max;

function isRange(v: unknown): v is PortRange {
  const r = v as PortRange;
  return typeof v === 'object' && v !== null && Number.isInteger(r.min) && Number.isInteger(r.max) && r.min <= r.max;
}

/** The records in a history file's text, oldest first; throws on anything else. */
export function parseRangeHistory(text: string): RangeRecord[] {
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) throw new Error('not a JSON array');
  const records = data.map((e: unknown, i) => {
    const r = e as { at?: unknown; from?: unknown; to?: unknown };
    if (typeof e !== 'object' || e === null || typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at)))
      throw new Error(`entry ${i} has no valid "at"`);
    if (!isRange(r.to) || (r.from !== undefined && !isRange(r.from)))
      throw new Error(`entry ${i} has no valid "from"/"to"`);
    return { at: r.at, from: r.from, to: r.to } as RangeRecord;
  });
  return records.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * The record setup should add now, or undefined: one whenever the history does not end at the
 * live range (setup changed it, or someone else did, or there is no history yet). Idempotent: a
 * second setup adds nothing.
 */
export function recordFor(
  history: readonly RangeRecord[],
  before: PortRange | undefined,
  after: PortRange,
  at: Date,
): RangeRecord | undefined {
  const last = history.at(-1);
  if (same(before, after) && same(last?.to, after)) return undefined;
  return { at: at.toISOString(), from: before, to: after };
}

export function historyText(history: readonly RangeRecord[], add: RangeRecord): string {
  // One record a line: short, and still readable with cat.
  return `[\n${[...history, add]
    .slice(-PORT_RANGE_HISTORY_MAX)
    .map((r) => JSON.stringify(r))
    .join(',\n')}\n]\n`;
}

export type HistoryRead = { readonly records: RangeRecord[] } | { readonly problem: string };

/** The history, if root wrote it and no one else can have (else it proves nothing). */
export function readRangeHistory(file = PORT_RANGE_HISTORY_PATH): HistoryRead {
  const st = lstat(file);
  if (!st) return { records: [] };
  if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0)
    return { problem: `${file} is not a root-owned file only root may write` };
  try {
    return { records: parseRangeHistory(fs.readFileSync(file, 'utf8')) };
  } catch (e) {
    return { problem: `${file} cannot be read: ${(e as Error).message}` };
  }
}

/** Add setup's record (see recordFor) to the history file; nothing when there is nothing new. */
export function recordRangeChange(
  before: PortRange | undefined,
  after: PortRange,
  file = PORT_RANGE_HISTORY_PATH,
): void {
  const read = readRangeHistory(file);
  // A file root cannot trust or read starts over: a fresh history is better than none.
  const history = 'records' in read ? read.records : [];
  const add = recordFor(history, before, after, new Date());
  if (add) writeFileAtomic(file, historyText(history, add), 0o644);
}

/**
 * The ranges that may have been live at `start`, from the history and the live range now:
 * before the first record, that record's `from` (no one changed it unrecorded in between);
 * between two records, the first's `to`, and the second's `from` when they differ (an
 * unrecorded change, time unknown); after the last, its `to`, and the live range when it
 * differs. Times within SLACK_MS of a record take both sides. Undefined when nothing says.
 */
export function rangesAt(
  history: readonly RangeRecord[],
  start: Date,
  live: PortRange | undefined,
): { ranges: PortRange[]; used: RangeRecord[] } | undefined {
  const s = start.getTime();
  const candidates: (PortRange | undefined)[] = [];
  const used = new Set<RangeRecord>();
  const times = history.map((r) => Date.parse(r.at));
  if (history.length === 0) return undefined;
  if (s - SLACK_MS < times[0]) {
    candidates.push(history[0].from);
    used.add(history[0]);
  }
  for (let i = 0; i < history.length; i++) {
    const next = i + 1 < history.length ? times[i + 1] : Number.POSITIVE_INFINITY;
    if (s + SLACK_MS < times[i] || s - SLACK_MS > next) continue;
    candidates.push(history[i].to);
    candidates.push(i + 1 < history.length ? history[i + 1].from : live);
    used.add(history[i]);
    if (i + 1 < history.length) used.add(history[i + 1]);
  }
  if (candidates.some((c) => c === undefined)) return undefined;
  const ranges: PortRange[] = [];
  for (const c of candidates as PortRange[]) if (!ranges.some((u) => same(u, c))) ranges.push(c);
  return { ranges, used: [...used] };
}

/** A record in words: "2026-01-01T10:00:00.000Z set 32768–60999 → 49153–65535" (or "found"). */
export function recordText(r: RangeRecord): string {
  return r.from && !same(r.from, r.to)
    ? `${r.at} set ${rangeText(r.from)} → ${rangeText(r.to)}`
    : `${r.at} found ${rangeText(r.to)}`;
}

// ---------------------------------------------------------------------------------------------

export interface AllocatedPort {
  readonly container: string;
  readonly port: number;
}

/**
 * Host ports the engine chose itself, from `docker inspect` output: bindings of container ports
 * that asked for no host port (-P, or -p 80), in containers started after `since` (older ones
 * may hold ports an earlier dockerd process chose, under live-restore).
 */
export function allocatedPorts(inspectJson: string, since: Date): AllocatedPort[] {
  let data: unknown;
  try {
    data = JSON.parse(inspectJson);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const found: AllocatedPort[] = [];
  for (const c of data.slice(0, MAX_CONTAINERS) as Record<string, unknown>[]) {
    if (typeof c !== 'object' || c === null) continue;
    const state = c.State as { StartedAt?: unknown; Running?: unknown } | undefined;
    const started = typeof state?.StartedAt === 'string' ? Date.parse(state.StartedAt) : Number.NaN;
    if (state?.Running !== true || !(started > since.getTime() + SLACK_MS)) continue;
    const name = typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : String(c.Id ?? '?').slice(0, 12);
    const asked = ((c.HostConfig as { PortBindings?: unknown } | undefined)?.PortBindings ?? {}) as Record<
      string,
      unknown
    >;
    const got = ((c.NetworkSettings as { Ports?: unknown } | undefined)?.Ports ?? {}) as Record<string, unknown>;
    if (typeof got !== 'object' || got === null) continue;
    for (const [key, bindings] of Object.entries(got)) {
      const request = asked[key];
      const chosenByEngine =
        request === undefined ||
        request === null ||
        (Array.isArray(request) &&
          request.every(
            (b: { HostPort?: unknown }) => b?.HostPort === undefined || b.HostPort === '' || b.HostPort === '0',
          ));
      if (!chosenByEngine || !Array.isArray(bindings)) continue;
      for (const b of bindings as { HostPort?: unknown }[]) {
        const port = Number(b?.HostPort);
        if (Number.isInteger(port) && port > 0 && !found.some((f) => f.port === port && f.container === name))
          found.push({ container: name, port });
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

export interface EngineStart {
  readonly pid: number;
  readonly start: Date;
}

/** A process's start time from /proc/<pid>/stat (field 22, after the command in parentheses) and btime. */
export function processStart(statText: string, procStatText: string): Date | undefined {
  const btime = /^btime (\d+)$/m.exec(procStatText);
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  if (!btime || !Number.isInteger(ticks)) return undefined;
  return new Date((Number(btime[1]) + ticks / CLOCK_TICKS) * 1000);
}

function comm(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The dockerd behind /var/run/docker.sock: the one its pidfile names, or the only one running. */
export function findDockerd(pidfile = DOCKERD_PIDFILE): { pid: number } | { problem: string } {
  const fromFile = Number((readOrUndefined(pidfile) ?? '').trim());
  if (Number.isInteger(fromFile) && fromFile > 0 && comm(fromFile) === 'dockerd') return { pid: fromFile };
  let pids: number[] = [];
  try {
    pids = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .filter((p) => comm(p) === 'dockerd');
  } catch {
    return { problem: '/proc cannot be read' };
  }
  if (pids.length === 1) return { pid: pids[0] };
  if (pids.length === 0)
    return {
      problem:
        Number.isInteger(fromFile) && fromFile > 0 && fs.existsSync(`/proc/${fromFile}`) && comm(fromFile) === undefined
          ? `/proc does not show process ${fromFile} (${pidfile}) to you: run \`sudo cida-docker doctor\``
          : 'no dockerd process is running',
    };
  return { problem: `${pids.length} dockerd processes run and ${pidfile} names none of them` };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function dockerdStart(pidfile = DOCKERD_PIDFILE): EngineStart | { problem: string } {
  const found = findDockerd(pidfile);
  return 'problem' in found ? found : startOf(found.pid);
}

/** When process `pid` started, from /proc. */
export function startOf(pid: number): EngineStart | { problem: string } {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  const procStat = readOrUndefined('/proc/stat');
  const start = stat && procStat ? processStart(stat, procStat) : undefined;
  return start ? { pid, start } : { problem: `/proc does not say when dockerd (pid ${pid}) started` };
}

/** How the engine is restarted here, for the fix. */
export function restartCommand(): string {
  if (fs.existsSync('/run/systemd/system')) return 'sudo systemctl restart docker';
  if (fs.existsSync('/etc/init.d/docker')) return 'sudo service docker restart';
  return 'restart dockerd the way it is started on this host';
}

/** Root asks the engine (the default one, or `host`) for its running containers' ports; undefined when it cannot. */
export function inspectRunning(docker: string, host?: string): string | undefined {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' };
  const h = host ? ['-H', host] : [];
  const ps = run(docker, [...h, 'ps', '-q', '--no-trunc'], { env, timeoutMs: 15_000 });
  if (ps.status !== 0) return undefined;
  const ids = ps.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{64}$/.test(l))
    .slice(0, MAX_CONTAINERS);
  if (ids.length === 0) return '[]';
  // Only the fields allocatedPorts reads, one JSON object per line, and a cap: a container's labels
  // and environment are anybody's text, and must not make root's doctor read without bound.
  const r = run(docker, [...h, 'inspect', '--type', 'container', '--format', INSPECT_FIELDS, ...ids], {
    env,
    timeoutMs: 30_000,
    maxBytes: INSPECT_MAX_BYTES,
  });
  if (r.error !== undefined) return undefined;
  // A container gone between ps and inspect fails the command but the others are still printed.
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  return lines.length > 0 || r.status === 0 ? `[${lines.join(',')}]` : undefined;
}

// ---------------------------------------------------------------------------------------------

export interface EngineRangeFacts {
  /** The policy's publishedPorts. */
  readonly want: PortRange;
  readonly live?: PortRange;
  readonly engine: EngineStart | { readonly problem: string };
  readonly history: HistoryRead;
  /** Root only: `docker inspect` of the running containers. */
  readonly inspectJson?: string;
  readonly asRoot: boolean;
  readonly restart: string;
}

export function engineRangeFacts(
  want: PortRange,
  live: PortRange | undefined,
  docker: string,
  asRoot: boolean,
): EngineRangeFacts {
  const engine = dockerdStart();
  return {
    want,
    live,
    engine,
    history: readRangeHistory(),
    inspectJson: asRoot && !('problem' in engine) ? inspectRunning(docker) : undefined,
    asRoot,
    restart: restartCommand(),
  };
}

const ports = (list: readonly AllocatedPort[]): string =>
  list
    .slice(0, 5)
    .map((p) => `${p.port} (${p.container})`)
    .join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');

/** Doctor's verdict: does the running dockerd allocate -P ports inside the policy range? */
export function engineRangeCheck(f: EngineRangeFacts): CheckResult {
  const id = 'engine-port-range';
  const want = f.want;
  const title = `the engine allocates -P ports in ${rangeText(want)}`;
  const unknown = (why: string): CheckResult => ({
    id,
    title,
    status: 'skip',
    detail: `cannot tell: ${why}; if -P publishes ports outside ${rangeText(want)}, restart dockerd`,
  });
  if ('problem' in f.engine) return unknown(f.engine.problem);
  const { pid, start } = f.engine;
  const since = `dockerd (pid ${pid}) started ${start.toISOString()}`;
  const fix = `${f.restart} (it reads the range only when it starts; running containers stop unless live-restore is on), then \`cida-docker doctor\` again`;

  const allocated = f.inspectJson === undefined ? [] : allocatedPorts(f.inspectJson, start);
  const outside = allocated.filter((p) => !inRange(p.port, want));
  if (outside.length > 0)
    return {
      id,
      title,
      status: 'fail',
      detail: `${since} and chose host ports outside the range: ${ports(outside)}; the broker refuses such runs`,
      fix,
    };
  const proof = allocated.length > 0 ? `; the ports it chose since (${ports(allocated)}) are all inside` : '';

  if ('problem' in f.history) return unknown(`${since}; ${f.history.problem}`);
  const at = rangesAt(f.history.records, start, f.live);
  const candidates = at?.ranges;
  if (!candidates)
    return unknown(
      `${since}; no record of setup says which range was live then (\`sudo cida-docker setup\` starts the record)${proof}`,
    );
  const first = f.history.records[0];
  const assumed =
    first && start.getTime() < Date.parse(first.at) ? ', taking it that no one changed it before the first record' : '';
  const basis = `${since}, when the live range was ${candidates.map(rangeText).join(' or ')} (setup's records in ${PORT_RANGE_HISTORY_PATH}: ${at.used.map(recordText).join('; ')}${assumed})`;
  if (candidates.every((c) => within(c, want)))
    return {
      id,
      title,
      status: 'ok',
      detail: `${basis}${proof}${f.asRoot ? '' : '; root also checks the ports it chose'}`,
    };
  // A port the engine chose outside every candidate range shows the records do not tell its story.
  const contradicted = allocated.some((p) => candidates.every((c) => !inRange(p.port, c)));
  if (candidates.some((c) => within(c, want)) || contradicted) return unknown(`${basis}${proof}`);
  return {
    id,
    title,
    status: 'fail',
    detail: `${basis}: it still allocates -P ports from there, and the broker refuses every run whose port lands outside ${rangeText(want)}`,
    fix,
  };
}
