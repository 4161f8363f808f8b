import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ambiguousPrefix, noSuchContainer, ownedBy, parseContainerList, resolveContainer } from './containers.js';
import { writeRecord } from './ownership.js';

const id = (c: string, rest = ''): string => (c.repeat(8) + rest).padEnd(64, '0').slice(0, 64);
const A = id('a'); // dev1, named web
const B = id('a', 'b'.repeat(10)).replace(/^a{8}/, 'aaaaaaab'); // dev1, shares prefix "aaaaaaa"
const C = id('c'); // dev2, named "aaaaaaab" (a name that looks like dev1's id prefix)
const D = id('d'); // no record: made outside the broker (labels claim dev1)

const row = (i: string, names: string, state = 'running'): string => JSON.stringify([i, names, state]);
// A fake `docker ps -a --no-trunc --format LIST_FORMAT` listing.
const LISTING = [
  row(A, 'web'),
  row(B, 'worker,other/alias', 'exited'),
  row(C, 'aaaaaaab'),
  row(D, 'rootstuff'),
  'garbage line',
  '["x"]',
  '',
].join('\n');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-owners-'));
const rec = (i: string, uid: number): void =>
  writeRecord(dir, {
    id: i,
    uid,
    user: `u${uid}`,
    runAs: { uid, gid: uid },
    image: 'sha256:x',
    created: '2026-01-01T00:00:00Z',
  });
rec(A, 1001);
rec(B, 1001);
rec(C, 1002);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('container listing and resolution', () => {
  const all = parseContainerList(LISTING, dir);
  const dev1 = ownedBy(all, 1001);
  const dev2 = ownedBy(all, 1002);

  it('reads the listing; owners come from the records only', () => {
    expect(all.map((e) => e.owner)).toEqual([1001, 1001, 1002, null]);
    expect(all.map((e) => e.running)).toEqual([true, false, true, true]);
    expect(all[1].names).toEqual(['worker']); // link aliases (with '/') are not names
  });
  it('restarting and paused containers count as running (a restart policy starts them again unchecked)', () => {
    const states = ['running', 'restarting', 'paused', 'exited', 'created', 'dead'];
    const entries = parseContainerList(states.map((st) => row(A, 'web', st)).join('\n'), dir);
    expect(entries.map((e) => e.running)).toEqual([true, true, true, false, false, false]);
  });
  it('a name with tabs and newlines (label or build-arg injection) never forges a row or an owner', () => {
    // What a hostile name or label would have injected into the old tab/newline format.
    const injected = `x\n${C}\tdev2-db\t1001`;
    const listing = [row(D, injected), row(A, 'web')].join('\n');
    const entries = parseContainerList(listing, dir);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ id: D, owner: null });
    expect(ownedBy(entries, 1001).map((e) => e.id)).toEqual([A]);
    expect(resolveContainer('dev2-db', ownedBy(entries, 1001))).toEqual({ kind: 'missing' });
  });
  it('without a record directory nobody owns anything', () => {
    expect(parseContainerList(LISTING, null).every((e) => e.owner === null)).toBe(true);
  });
  it('resolves as the engine does: full id, exact name, unique prefix', () => {
    expect(resolveContainer(A, dev1)).toEqual({ kind: 'found', id: A });
    expect(resolveContainer('web', dev1)).toEqual({ kind: 'found', id: A });
    expect(resolveContainer('/web', dev1)).toEqual({ kind: 'found', id: A });
    expect(resolveContainer('aaaaaaab', dev1)).toEqual({ kind: 'found', id: B });
    expect(resolveContainer('aaaa', dev1)).toEqual({ kind: 'ambiguous' });
    expect(resolveContainer('Web', dev1)).toEqual({ kind: 'missing' });
    expect(resolveContainer('', dev1)).toEqual({ kind: 'missing' });
  });
  it("never finds somebody else's container, by name, prefix or full id", () => {
    expect(resolveContainer('web', dev2)).toEqual({ kind: 'missing' });
    expect(resolveContainer(A, dev2)).toEqual({ kind: 'missing' });
    expect(resolveContainer('aaaa', dev2)).toEqual({ kind: 'missing' });
    expect(resolveContainer('rootstuff', dev2)).toEqual({ kind: 'missing' });
    // dev2 owns the *name* "aaaaaaab"; for dev2 that is its container, for dev1 it is dev1's id prefix.
    expect(resolveContainer('aaaaaaab', dev2)).toEqual({ kind: 'found', id: C });
  });
  it('words a missing container exactly as docker 28.2.2 does', () => {
    expect(noSuchContainer('logs', 'web')).toBe('Error response from daemon: No such container: web');
    expect(noSuchContainer('kill', 'web')).toBe(
      'Error response from daemon: Cannot kill container: web: No such container: web',
    );
    expect(ambiguousPrefix('aa')).toBe('Error response from daemon: multiple IDs found with provided prefix: aa');
  });
});
