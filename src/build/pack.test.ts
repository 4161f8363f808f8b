import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type ContextEntry, packContext, PackError, walkContext } from './pack.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-pack-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const df = { name: 'Dockerfile', bytes: Buffer.from('FROM scratch\n') };

/** Packs `entries` of `dir` and reads the stream back: name → bytes (null for non-files). */
async function roundTrip(entries: readonly ContextEntry[]): Promise<Map<string, Buffer | null>> {
  const pack = tar.pack();
  const extract = tar.extract();
  const seen = new Map<string, Buffer | null>();
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (b: unknown) => parts.push(b as Buffer));
    stream.on('end', () => {
      seen.set(header.name, header.type === 'file' ? Buffer.concat(parts) : null);
      next();
    });
  });
  const finished = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  pack.pipe(extract);
  await packContext(pack, dir, df, entries, { files: 0, bytes: 0 });
  await finished;
  return seen;
}

describe('packContext', () => {
  test('small and large files arrive whole, the Dockerfile first', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'b');
    fs.writeFileSync(path.join(dir, 'small.txt'), 'hello');
    fs.writeFileSync(path.join(dir, 'empty'), '');
    fs.writeFileSync(path.join(dir, 'big.bin'), big);
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('../small.txt', path.join(dir, 'sub', 'link'));
    const seen = await roundTrip(walkContext(dir, [], null));
    expect([...seen.keys()][0]).toBe('Dockerfile');
    expect(seen.get('small.txt')?.toString()).toBe('hello');
    expect(seen.get('empty')?.length).toBe(0);
    expect(seen.get('big.bin')?.equals(big)).toBe(true);
    expect(seen.has('sub/link')).toBe(true);
  });

  test('a file that shrank after the walk is named, not sent short', async () => {
    fs.writeFileSync(path.join(dir, 'grows-less'), 'x'.repeat(100));
    const entries = walkContext(dir, [], null);
    fs.writeFileSync(path.join(dir, 'grows-less'), 'x');
    await expect(roundTrip(entries)).rejects.toThrow(PackError);
    await expect(roundTrip(entries)).rejects.toThrow(/grows-less changed while it was being sent/);
  });

  test('a FIFO put in place of a file after the walk fails at once instead of hanging', async () => {
    fs.writeFileSync(path.join(dir, 'f'), 'data');
    const entries = walkContext(dir, [], null);
    fs.rmSync(path.join(dir, 'f'));
    execFileSync('mkfifo', [path.join(dir, 'f')]);
    await expect(roundTrip(entries)).rejects.toThrow(/f changed while it was being sent: not a file/);
  });

  test('a symlink put in place of a file after the walk is not followed', async () => {
    fs.writeFileSync(path.join(dir, 'f'), 'data');
    const entries = walkContext(dir, [], null);
    fs.rmSync(path.join(dir, 'f'));
    fs.symlinkSync('/etc/hostname', path.join(dir, 'f'));
    await expect(roundTrip(entries)).rejects.toThrow(/cannot read .*\/f/);
  });
});
