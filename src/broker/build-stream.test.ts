import { describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { ContextStreamChecker, openContextStream, StreamRefused } from './build-stream.js';

type E = {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  data?: string;
  linkname?: string;
};

async function tarOf(entries: E[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    await new Promise<void>((resolve, reject) =>
      type === 'file'
        ? pack.entry({ name: e.name, type }, e.data ?? '', (err) => (err ? reject(err) : resolve()))
        : pack.entry({ name: e.name, type, linkname: e.linkname }, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Runs the checker over `buf` in chunks of `size`; the passed-on bytes, or the refusal. */
function run(buf: Buffer, name = 'Dockerfile', max = 1e9, size = 777): { out: Buffer; df: string | null } {
  const c = new ContextStreamChecker(name, max);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(...c.push(buf.subarray(i, i + size)));
  c.end();
  return { out: Buffer.concat(out), df: c.dockerfile?.toString() ?? null };
}

function refusal(fn: () => unknown): StreamRefused {
  try {
    fn();
  } catch (e) {
    if (e instanceof StreamRefused) return e;
    throw e;
  }
  throw new Error('not refused');
}

const DF = 'FROM registry.example.internal/base/x:1\n';

describe('context stream checker', () => {
  it('passes a good tar through byte for byte and hands out the Dockerfile', async () => {
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'app', type: 'directory' },
      { name: 'app/main.sh', data: 'echo hi\n'.repeat(500) },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    for (const size of [1, 100, 512, 4096, buf.length]) {
      const r = run(buf, 'Dockerfile', 1e9, size);
      expect(r.out.equals(buf)).toBe(true);
      expect(r.df).toBe(DF);
    }
  });
  it('long names (pax) are read as the engine reads them', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const buf = await tarOf([
      { name: `sub/${'x'.repeat(130)}/Dockerfile`, data: DF },
      { name: long, data: 'x' },
    ]);
    expect(run(buf, `sub/${'x'.repeat(130)}/Dockerfile`).df).toBe(DF);
  });
  it('the Dockerfile must come first', async () => {
    const buf = await tarOf([
      { name: 'a', data: 'x' },
      { name: 'Dockerfile', data: DF },
    ]);
    expect(refusal(() => run(buf)).message).toMatch(/must begin with the Dockerfile/);
    const asLink = await tarOf([{ name: 'Dockerfile', type: 'symlink', linkname: 'evil' }]);
    expect(refusal(() => run(asLink)).message).toMatch(/as a regular file/);
  });
  it('a second Dockerfile, in any spelling, is refused', async () => {
    for (const name of ['Dockerfile', './Dockerfile', 'Dockerfile/', './/Dockerfile', 'x/../Dockerfile']) {
      const buf = await tarOf([
        { name: 'Dockerfile', data: DF },
        { name, data: 'FROM evil' },
      ]);
      expect(refusal(() => run(buf)).message, name).toMatch(/second time|leads out/);
    }
  });
  it('a directory of the Dockerfile cannot become a symlink or a file', async () => {
    const buf = await tarOf([
      { name: 'sub/Dockerfile', data: DF },
      { name: 'sub', type: 'symlink', linkname: 'other' },
    ]);
    expect(refusal(() => run(buf, 'sub/Dockerfile')).message).toMatch(/replace a directory/);
    const ok = await tarOf([
      { name: 'sub/Dockerfile', data: DF },
      { name: 'sub', type: 'directory' },
    ]);
    expect(run(ok, 'sub/Dockerfile').df).toBe(DF);
  });
  it('nothing may be written through a symlink of the stream', async () => {
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'd', type: 'symlink', linkname: '.' },
      { name: 'd/x', data: 'x' },
    ]);
    expect(refusal(() => run(buf)).message).toMatch(/under a symlink/);
  });
  it('refuses .. and absolute names', async () => {
    for (const name of ['../x', 'a/../../x', '/etc/passwd', 'a/..']) {
      const buf = await tarOf([
        { name: 'Dockerfile', data: DF },
        { name, data: 'x' },
      ]);
      expect(refusal(() => run(buf)).message, name).toMatch(/absolute|leads out/);
    }
  });
  it('refuses hard links, devices and FIFOs', async () => {
    for (const type of ['link', 'fifo', 'character-device'] as const) {
      const buf = await tarOf([
        { name: 'Dockerfile', data: DF },
        { name: 'x', type, linkname: 'Dockerfile' },
      ]);
      expect(refusal(() => run(buf)).message, type).toMatch(/hard link|FIFO|device/);
    }
  });
  it('refuses a truncated tar, at any cut', async () => {
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'a', data: 'y'.repeat(3000) },
    ]);
    for (const cut of [0, 100, 512, 1024, 1600, buf.length - 1024, buf.length - 513, buf.length - 1]) {
      const e = refusal(() => run(buf.subarray(0, cut)));
      expect(e.reason, String(cut)).toBe('truncated');
    }
  });
  it('stops at the size limit', async () => {
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'a', data: 'y'.repeat(100_000) },
    ]);
    const e = refusal(() => run(buf, 'Dockerfile', 50_000));
    expect(e.reason).toBe('too-large');
    expect(e.message).toMatch(/build.maxContextBytes = 50000/);
  });
  it('refuses a Dockerfile over 1 MiB', async () => {
    const buf = await tarOf([{ name: 'Dockerfile', data: 'x'.repeat(1024 * 1024 + 1) }]);
    expect(refusal(() => run(buf)).message).toMatch(/larger than 1048576/);
  });
  it('refuses garbage and a corrupted header', async () => {
    expect(refusal(() => run(Buffer.from('FROM x\n'.repeat(200)))).message).toMatch(/checksum/);
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'a', data: 'x' },
    ]);
    buf[1024 + 5] ^= 1;
    expect(refusal(() => run(buf)).message).toMatch(/checksum/);
  });
  it('a pax size is honoured as the engine honours it (no smuggled headers)', async () => {
    // pax header says 1024 bytes of data follow; the ustar header says 0. The data holds what would
    // look like a second Dockerfile header to a reader that ignored the pax size.
    const inner = await tarOf([{ name: 'Dockerfile', data: 'FROM evil' }]);
    const outer = await tarOf([{ name: 'Dockerfile', data: DF }]);
    const body = outer.subarray(0, outer.length - 1024);
    const pax = paxBlock({ size: String(1024) });
    const hdr = Buffer.from(inner.subarray(0, 512));
    hdr.write('hidden\0\0\0\0', 0, 'latin1');
    fixChecksum(hdr);
    const smuggle = Buffer.concat([body, pax, hdr, inner.subarray(0, 1024), Buffer.alloc(1024)]);
    const r = run(smuggle);
    expect(r.df).toBe(DF);
  });
  it('V7 names ending in / are header-only directories, as for the engine', async () => {
    const outer = await tarOf([{ name: 'Dockerfile', data: DF }]);
    const hdr = Buffer.from(outer.subarray(0, 512));
    hdr.write('dir/\0\0\0\0\0\0\0\0\0\0', 0, 'latin1');
    hdr[156] = 0;
    hdr.write('00000000144\0', 124, 'latin1'); // size 100, ignored for a directory
    fixChecksum(hdr);
    const buf = Buffer.concat([outer.subarray(0, outer.length - 1024), hdr, Buffer.alloc(1024)]);
    expect(run(buf).df).toBe(DF);
  });
});

function fixChecksum(h: Buffer): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

function paxBlock(rec: Record<string, string>): Buffer {
  let body = '';
  for (const [k, v] of Object.entries(rec)) {
    const s = ` ${k}=${v}\n`;
    let len = s.length + 1;
    while (String(len).length + s.length !== len) len++;
    body += `${len}${s}`;
  }
  const h = Buffer.alloc(512);
  h.write('PaxHeader', 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h[156] = 'x'.charCodeAt(0);
  h.write('ustar\x0000', 257, 'latin1');
  fixChecksum(h);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body, 0, 'latin1');
  return Buffer.concat([h, data]);
}

describe('openContextStream', () => {
  it('stops at the Dockerfile, then streams the rest', async () => {
    const buf = await tarOf([
      { name: 'Dockerfile', data: DF },
      { name: 'a', data: 'z'.repeat(10_000) },
    ]);
    async function* src(): AsyncGenerator<Buffer> {
      for (let i = 0; i < buf.length; i += 1000) yield buf.subarray(i, i + 1000);
    }
    const o = await openContextStream(src(), 'Dockerfile', 1e9);
    expect(o.dockerfile.toString()).toBe(DF);
    const rest: Buffer[] = [];
    for await (const c of o.rest) rest.push(c);
    expect(Buffer.concat([...o.head, ...rest]).equals(buf)).toBe(true);
  });
});
