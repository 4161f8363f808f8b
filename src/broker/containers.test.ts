import { describe, expect, it } from 'vitest';
import { ambiguousPrefix, noSuchContainer, ownedBy, parseContainerList, resolveContainer } from './containers.js';

const id = (c: string, rest = ''): string => (c.repeat(8) + rest).padEnd(64, '0').slice(0, 64);
const A = id('a'); // dev1, named web
const B = id('a', 'b'.repeat(10)).replace(/^a{8}/, 'aaaaaaab'); // dev1, shares prefix "aaaaaaa"
const C = id('c'); // dev2, named "aaaaaaab" (a name that looks like dev1's id prefix)
const D = id('d'); // no owner label

// A fake `docker ps -a --no-trunc --format LIST_FORMAT` listing.
const LISTING = [
  `${A}\tweb\t1001`,
  `${B}\tworker,other/alias\t1001`,
  `${C}\taaaaaaab\t1002`,
  `${D}\trootstuff\t`,
  'garbage line',
  '',
].join('\n');

describe('container listing and resolution', () => {
  const all = parseContainerList(LISTING);
  const dev1 = ownedBy(all, 1001);
  const dev2 = ownedBy(all, 1002);

  it('reads the listing', () => {
    expect(all.map((e) => e.uid)).toEqual([1001, 1001, 1002, null]);
    expect(all[1].names).toEqual(['worker']); // link aliases (with '/') are not names
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
  it("words a missing container exactly as docker 28.2.2 does", () => {
    expect(noSuchContainer('logs', 'web')).toBe('Error response from daemon: No such container: web');
    expect(noSuchContainer('kill', 'web')).toBe('Error response from daemon: Cannot kill container: web: No such container: web');
    expect(ambiguousPrefix('aa')).toBe('Error response from daemon: multiple IDs found with provided prefix: aa');
  });
});
