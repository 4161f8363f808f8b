// `cida-docker audit` reads the log as a stream (it grows with every developer's requests): the
// same records as filterLog over the whole text, at any chunking, a bounded line, back-pressure.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type AuditFilter, filterLog, filterLogStream } from './audit.js';

const rec = (user: string, time: string, extra = ''): string =>
  JSON.stringify({ time, id: '0123456789abcdef', phase: 'decision', uid: 1, user, kind: 'docker', argv: [extra] });
const LOG = [
  rec('dev1', '2024-04-01T00:00:00.000Z', 'é ✓ multi-byte'),
  'not json',
  '',
  rec('dev2', '2024-05-01T00:00:00.000Z'),
  '{"torn": ',
  'null',
  rec('dev1', '2024-06-01T00:00:00.000Z'),
].join('\n');

/** The stream's output for `text` cut into chunks of `size` bytes. */
async function streamed(text: string, filter: AuditFilter, size: number, maxLine?: number) {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  let out = '';
  const stats = await filterLogStream(
    Readable.from(chunks),
    filter,
    (t) => {
      out += t;
      return true;
    },
    maxLine,
  );
  return { out, stats };
}
const whole = (text: string, filter: AuditFilter): string =>
  filterLog(text, filter)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');

describe('filterLogStream', () => {
  it('writes exactly what filterLog keeps, however the log is cut into chunks (multi-byte characters too)', async () => {
    const filters: AuditFilter[] = [{}, { user: 'dev1' }, { since: new Date('2024-04-15T00:00:00Z') }];
    for (const filter of filters)
      for (const size of [1, 2, 3, 7, 64, 100_000]) {
        expect((await streamed(LOG, filter, size)).out).toBe(whole(LOG, filter));
        expect((await streamed(`${LOG}\n`, filter, size)).out).toBe(whole(LOG, filter));
      }
    expect((await streamed(LOG, {}, 5)).stats).toEqual({ kept: 3, tooLong: 0 });
  });

  it('skips and counts a line over the bound without holding it, and reads on after it', async () => {
    const long = rec('dev1', '2024-04-02T00:00:00.000Z', 'x'.repeat(5000));
    const text = [rec('dev1', '2024-04-01T00:00:00.000Z'), long, rec('dev2', '2024-04-03T00:00:00.000Z'), long].join(
      '\n',
    );
    for (const size of [1, 100, 1 << 20]) {
      const { out, stats } = await streamed(text, {}, size, 1000);
      expect(stats).toEqual({ kept: 2, tooLong: 2 });
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).user),
      ).toEqual(['dev1', 'dev2']);
    }
  });

  it('waits for a slow reader (back-pressure) and stops reading when the reader has gone', async () => {
    const line = `${rec('dev1', '2024-04-01T00:00:00.000Z', 'y'.repeat(1000))}\n`;
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield Buffer.from(line);
      }
    }
    let writes = 0;
    let release: (() => void) | null = null;
    const run = filterLogStream(source(), {}, () => {
      writes++;
      // The first write blocks until released; the second says the reader went away.
      if (writes === 1) return new Promise<boolean>((r) => (release = () => r(true)));
      return false;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(writes).toBe(1);
    const whileBlocked = pulled;
    expect(whileBlocked).toBeLessThan(200); // it did not read on while the reader was full
    (release as unknown as () => void)();
    await run;
    expect(writes).toBe(2);
    expect(pulled).toBeLessThan(300); // and stopped once the reader was gone
  });

  it('passes a real stream through with its own back-pressure', async () => {
    const sink = new PassThrough({ highWaterMark: 16 });
    let got = '';
    sink.on('data', (b: Buffer) => (got += b.toString()));
    const { drainingWriter } = await import('./audit.js');
    await filterLogStream(Readable.from([Buffer.from(LOG)]), {}, drainingWriter(sink));
    sink.end();
    await new Promise((r) => sink.on('end', r));
    expect(got).toBe(whole(LOG, {}));
  });
});
