import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ContainerRecord, pruneRecords, readRecord, readRecords, removeRecord, writeRecord } from './ownership.js';

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
});
