import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ContainerRecord,
  ownRecords,
  pruneRecords,
  readRecord,
  readRecords,
  removeRecord,
  writeRecord,
} from './ownership.js';

const ID = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const record = (id = ID, uid = 1001): ContainerRecord => ({
  id,
  uid,
  user: 'dev1',
  runAs: { uid: 1000, gid: 1000 },
  image: 'sha256:1',
  created: '2026-01-01T00:00:00Z',
});

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const fresh = (): string => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-own-')));

describe('ownership records', () => {
  it('writes and reads back a record; other ids have none', () => {
    const d = fresh();
    writeRecord(d, record());
    expect(readRecord(d, ID)).toEqual(record());
    expect(readRecord(d, OTHER)).toBeNull();
    expect([...readRecords(d, [ID, OTHER]).keys()]).toEqual([ID]);
    expect(fs.statSync(path.join(d, `${ID}.json`)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(d)).toEqual([`${ID}.json`]); // no temp file left
  });
  it('a garbled, oversized, mis-keyed or symlinked record counts as none (fail closed)', () => {
    const d = fresh();
    fs.writeFileSync(path.join(d, `${ID}.json`), '{"id":');
    expect(readRecord(d, ID)).toBeNull();
    fs.writeFileSync(path.join(d, `${ID}.json`), JSON.stringify({ ...record(), pad: 'x'.repeat(5000) }));
    expect(readRecord(d, ID)).toBeNull();
    fs.writeFileSync(path.join(d, `${ID}.json`), JSON.stringify(record(OTHER))); // names another container
    expect(readRecord(d, ID)).toBeNull();
    fs.writeFileSync(path.join(d, `${ID}.json`), JSON.stringify({ ...record(), uid: '1001' }));
    expect(readRecord(d, ID)).toBeNull();
    fs.rmSync(path.join(d, `${ID}.json`));
    fs.writeFileSync(path.join(d, 'target.json'), JSON.stringify(record()));
    fs.symlinkSync(path.join(d, 'target.json'), path.join(d, `${ID}.json`));
    expect(readRecord(d, ID)).toBeNull();
  });
  it('refuses ids that are not 64 hex digits (no path tricks)', () => {
    const d = fresh();
    expect(() => writeRecord(d, record('../../etc/x'))).toThrow(/not a container id/);
    expect(readRecord(d, '../x')).toBeNull();
  });
  it('a group- or world-writable directory fails closed', () => {
    const d = fresh();
    fs.chmodSync(d, 0o777);
    expect(() => writeRecord(d, record())).toThrow(/only root can write/);
  });
  it('prunes records of containers the engine no longer has, but not fresh ones', () => {
    const d = fresh();
    writeRecord(d, record(ID));
    writeRecord(d, record(OTHER));
    expect(pruneRecords(d, new Set([ID]))).toBe(0); // OTHER is fresh: maybe being created now
    expect(pruneRecords(d, new Set([ID]), 60_000, Date.now() + 120_000)).toBe(1);
    expect(readRecord(d, OTHER)).toBeNull();
    expect(readRecord(d, ID)).not.toBeNull();
    removeRecord(d, ID);
    expect(readRecord(d, ID)).toBeNull();
  });
  it("ownRecords: the caller's ids only, from records root wrote, each named by its own id", () => {
    const d = fresh();
    const [a, b, c, e, f] = ['a', 'b', 'c', 'e', 'f'].map((x) => x.repeat(64));
    writeRecord(d, record(a, 1001));
    writeRecord(d, record(b, 1002)); // another caller's
    // A copy of the caller's record under another id, one claiming the caller under a wrong id,
    // a symlink to the caller's record, and stray files: none of them count.
    fs.copyFileSync(path.join(d, `${a}.json`), path.join(d, `${c}.json`));
    fs.writeFileSync(path.join(d, `${e}.json`), JSON.stringify(record(b, 1001)));
    fs.symlinkSync(path.join(d, `${a}.json`), path.join(d, `${f}.json`));
    fs.writeFileSync(path.join(d, `${ID}.json.tmp`), JSON.stringify(record(ID, 1001)));
    fs.writeFileSync(path.join(d, 'x.json'), JSON.stringify(record(ID, 1001)));
    expect(ownRecords(d, 1001)).toEqual([a]);
    expect(ownRecords(d, 1002)).toEqual([b]);
    expect(ownRecords(d, 1003)).toEqual([]);
    expect(ownRecords(path.join(d, 'missing'), 1001)).toEqual([]);
  });
  it.runIf(process.getuid?.() === 0)("ownRecords, as root: a record file that is not root's counts as none", () => {
    const d = fresh();
    writeRecord(d, record(ID, 1001));
    writeRecord(d, record(OTHER, 1001));
    fs.chownSync(path.join(d, `${OTHER}.json`), 1001, 1001); // as if the caller had written it
    expect(ownRecords(d, 1001)).toEqual([ID]);
  });
  it('ownRecords leaves more than its bound of records to a listing', () => {
    const d = fresh();
    for (let i = 0; i < 4; i++) writeRecord(d, record(i.toString(16).repeat(64), 1001));
    expect(ownRecords(d, 1001, 4)).toHaveLength(4);
    expect(ownRecords(d, 1001, 3)).toBeNull();
  });
});
