// Which containers a caller may touch, and how a name or id prefix resolves among them.
// Resolution happens among the caller's own containers only, the way the engine resolves among
// all (daemon.GetContainer: full id, then exact name, then unique id prefix), and the broker then
// hands docker the full 64-hex id, which the engine matches before any name: a name or prefix can
// never slip through to somebody else's container.
import { capture, CAPTURE_MAX_BYTES } from './engine.js';
import { type BrokerContext, outputTooLarge, STALE_CONTAINERS_FIX, Stopped } from './outcome.js';
import { pruneRecords, readRecords } from './ownership.js';

export interface ContainerEntry {
  /** Full 64-hex id. */
  readonly id: string;
  /** Names without the leading '/'. */
  readonly names: readonly string[];
  /** Running, restarting or paused: what counts against run.maxContainersPerUser. */
  readonly running: boolean;
  /** The uid of the caller the broker created it for (its ownership record), or null: nobody's. */
  readonly owner: number | null;
}

/**
 * The `docker ps --format` template that listContainers' text is read with: one JSON array per
 * container, so a name or any other field can never split or add a line.
 */
export const LIST_FORMAT = '[{{json .ID}},{{json .Names}},{{json .State}}]';

/** Reads `docker ps -a --no-trunc --format LIST_FORMAT` output; owners come from the broker's records. */
export function parseContainerList(text: string, recordsDir: string | null): ContainerEntry[] {
  const rows: { id: string; names: string[]; running: boolean }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(row) || row.length !== 3 || !row.every((f) => typeof f === 'string')) continue;
    const [id, names, state] = row as string[];
    if (!/^[0-9a-f]{64}$/.test(id)) continue;
    rows.push({
      id,
      names: names.split(',').filter((n) => n !== '' && !n.includes('/')),
      // A restarting container (its restart policy's backoff) or a paused one runs again with no
      // check of ours: both count against the ceiling as running.
      running: state === 'running' || state === 'restarting' || state === 'paused',
    });
  }
  const records =
    recordsDir === null
      ? new Map()
      : readRecords(
          recordsDir,
          rows.map((r) => r.id),
        );
  return rows.map((r) => ({ ...r, owner: records.get(r.id)?.uid ?? null }));
}

/** Why the engine gave no list: docker's exit code and the first line of its stderr (its words, about its socket). */
export interface ListingFailed {
  readonly code: number;
  readonly why: string;
}

/**
 * Every container of the engine, with its owner from the broker's records (records of containers
 * gone for a minute are pruned). A list over the capture cap stops the request (engine-output-limit):
 * a cut list would hide containers from the ceiling and from resolution.
 */
export async function listContainers(ctx: BrokerContext): Promise<ContainerEntry[] | ListingFailed> {
  const r = await capture(ctx.engine, ['ps', '--all', '--no-trunc', '--format', LIST_FORMAT]);
  if (r.overflow)
    throw new Stopped(outputTooLarge("the engine's list of containers", CAPTURE_MAX_BYTES, STALE_CONTAINERS_FIX));
  if (r.code !== 0) return { code: r.code, why: r.stderr.trim().split('\n')[0]?.slice(0, 500) ?? '' };
  const entries = parseContainerList(r.stdout, ctx.records);
  pruneRecords(ctx.records, new Set(entries.map((e) => e.id)));
  return entries;
}

export type Resolution =
  { readonly kind: 'found'; readonly id: string } | { readonly kind: 'missing' } | { readonly kind: 'ambiguous' };

/** daemon.GetContainer's order, among `entries`: full id, exact name, unique id prefix. */
export function resolveContainer(ref: string, entries: readonly ContainerEntry[]): Resolution {
  if (ref === '') return { kind: 'missing' };
  const byId = entries.find((e) => e.id === ref);
  if (byId) return { kind: 'found', id: byId.id };
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const byName = entries.find((e) => e.names.includes(name));
  if (byName) return { kind: 'found', id: byName.id };
  if (!/^[0-9a-f]+$/.test(ref)) return { kind: 'missing' };
  const byPrefix = entries.filter((e) => e.id.startsWith(ref));
  if (byPrefix.length === 1) return { kind: 'found', id: byPrefix[0].id };
  return byPrefix.length === 0 ? { kind: 'missing' } : { kind: 'ambiguous' };
}

export function ownedBy(entries: readonly ContainerEntry[], uid: number): ContainerEntry[] {
  return entries.filter((e) => e.owner === uid);
}

/** Docker's own words for a container that does not exist, per verb (checked against docker 28.2.2). */
export function noSuchContainer(verb: string, ref: string): string {
  if (verb === 'kill') return `Error response from daemon: Cannot kill container: ${ref}: No such container: ${ref}`;
  return `Error response from daemon: No such container: ${ref}`;
}

export function ambiguousPrefix(ref: string): string {
  return `Error response from daemon: multiple IDs found with provided prefix: ${ref}`;
}
