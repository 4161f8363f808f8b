// The build context as the broker receives it: a tar on stdin, from the developer, hostile.
// The broker reads it header by header as it passes (never holding the context in memory or on
// disk) and lets bytes on to `docker build -` only once the header they belong to is checked:
//   - the first entry is the Dockerfile, a regular file under the name the request gave, at most
//     1 MiB; it is handed to the caller to be hashed and approved before anything else flows;
//   - no entry may name the Dockerfile again, replace one of its directories with a non-directory,
//     or lie under a symlink of the stream (each would let the engine read other bytes than the
//     approved ones); no absolute names, no `..`, no hard links, devices or FIFOs, no global pax;
//   - pax `size`/`path`/`linkpath` and GNU long names are honoured exactly as Go's archive/tar
//     (the daemon's reader) honours them, so the broker and the engine see the same entries;
//   - the whole input counts against build.maxContextBytes; a stream that ends before the two
//     zero blocks of a tar's end is truncated and refused.

/** Why a context stream was refused. */
export class StreamRefused extends Error {
  override readonly name = 'StreamRefused';
  constructor(
    message: string,
    readonly reason: 'refused' | 'too-large' | 'truncated',
  ) {
    super(message);
  }
}

export const MAX_DOCKERFILE_BYTES = 1024 * 1024;
const MAX_META_BYTES = 64 * 1024;
const BLOCK = 512;

/** Go's path.Clean for entry names (archive extraction cleans names the same way). */
function clean(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
      continue;
    }
    out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

function cstring(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
}

function octal(field: Buffer, what: string): number {
  if (field[0] & 0x80) {
    // base-256 (GNU): big-endian, the top bit a flag
    let n = field[0] & 0x7f;
    if (field[0] & 0x40) throw new StreamRefused(`tar entry with a negative ${what}`, 'refused');
    for (let i = 1; i < field.length; i++) {
      n = n * 256 + field[i];
      if (!Number.isSafeInteger(n)) throw new StreamRefused(`tar entry with an impossible ${what}`, 'refused');
    }
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new StreamRefused(`tar header with a bad ${what} field`, 'refused');
  const n = parseInt(text, 8);
  if (!Number.isSafeInteger(n)) throw new StreamRefused(`tar entry with an impossible ${what}`, 'refused');
  return n;
}

function checksumOk(h: Buffer): boolean {
  const want = octal(h.subarray(148, 156), 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

/** pax records: "%d %s=%s\n" each. */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) throw new StreamRefused('tar pax header is malformed', 'refused');
    const len = Number(data.subarray(off, sp).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= sp - off || off + len > data.length || data[off + len - 1] !== 0x0a)
      throw new StreamRefused('tar pax header is malformed', 'refused');
    const rec = data.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq <= 0) throw new StreamRefused('tar pax header is malformed', 'refused');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    off += len;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'a hard link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  g: 'a global pax header',
};

interface Pending {
  path?: string;
  linkpath?: string;
  size?: number;
}

/**
 * The checking tar reader. `push` takes input bytes and returns the bytes that may be passed on
 * (in order); it throws StreamRefused at the first violation. `end` checks the stream is complete.
 */
export class ContextStreamChecker {
  /** The Dockerfile's bytes, once its entry has been read whole. */
  dockerfile: Buffer | null = null;
  bytesIn = 0;
  entries = 0;
  private state: 'header' | 'data' | 'meta' | 'pad' | 'end' = 'header';
  private buf: Buffer[] = [];
  private bufLen = 0;
  private remaining = 0;
  private pad = 0;
  private zeroBlocks = 0;
  private metaType = '';
  private pending: Pending = {};
  private collectingDockerfile = false;
  private readonly dfParts: Buffer[] = [];
  private readonly ancestors: Set<string>;
  private readonly symlinks = new Set<string>();

  constructor(
    readonly dockerfileName: string,
    readonly maxBytes: number,
  ) {
    const parts = dockerfileName.split('/');
    this.ancestors = new Set(parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/')));
    this.ancestors.add('.');
  }

  /** True once the tar's end (two zero blocks) has been read. */
  get ended(): boolean {
    return this.state === 'end';
  }

  push(chunk: Buffer): Buffer[] {
    this.bytesIn += chunk.length;
    if (this.bytesIn > this.maxBytes)
      throw new StreamRefused(
        `the build context is larger than the policy allows (build.maxContextBytes = ${this.maxBytes} bytes)`,
        'too-large',
      );
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length) {
      switch (this.state) {
        case 'end':
          return out; // bytes after the tar's end are dropped, as the engine's reader ignores them
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - off);
          const part = chunk.subarray(off, off + n);
          if (this.collectingDockerfile) this.dfParts.push(part);
          out.push(part);
          off += n;
          this.remaining -= n;
          if (this.remaining === 0) this.afterData();
          break;
        }
        case 'pad': {
          const n = Math.min(this.pad, chunk.length - off);
          out.push(chunk.subarray(off, off + n));
          off += n;
          this.pad -= n;
          if (this.pad === 0) this.state = 'header';
          break;
        }
        case 'header':
        case 'meta': {
          const need = this.state === 'header' ? BLOCK - this.bufLen : this.remaining - this.bufLen;
          const n = Math.min(need, chunk.length - off);
          this.buf.push(chunk.subarray(off, off + n));
          this.bufLen += n;
          off += n;
          if (n === need) {
            const whole = Buffer.concat(this.buf);
            this.buf = [];
            this.bufLen = 0;
            if (this.state === 'header') this.header(whole, out);
            else this.meta(whole, out);
          }
          break;
        }
      }
    }
    return out;
  }

  /** Throws unless the tar ended properly. */
  end(): void {
    if (this.state !== 'end')
      throw new StreamRefused(
        this.bytesIn === 0
          ? 'no build context arrived on standard input'
          : 'the build context ended in the middle of the tar (truncated)',
        'truncated',
      );
  }

  private afterData(): void {
    if (this.collectingDockerfile) {
      this.collectingDockerfile = false;
      this.dockerfile = Buffer.concat(this.dfParts);
    }
    const p = this.pad;
    this.state = p > 0 ? 'pad' : 'header';
  }

  private header(h: Buffer, out: Buffer[]): void {
    if (h.every((b) => b === 0)) {
      this.zeroBlocks++;
      out.push(h);
      if (this.zeroBlocks === 2) {
        if (this.dockerfile === null) throw new StreamRefused('the build context holds no Dockerfile', 'refused');
        this.state = 'end';
      }
      return;
    }
    if (this.zeroBlocks > 0) throw new StreamRefused('tar stream has data after an end-of-archive block', 'refused');
    if (!checksumOk(h))
      throw new StreamRefused('tar header with a bad checksum (not a tar stream, or corrupted)', 'refused');
    const type = String.fromCharCode(h[156] || 0x30);
    let size = octal(h.subarray(124, 136), 'size');
    if (type === 'x' || type === 'L' || type === 'K') {
      const max = type === 'x' ? MAX_META_BYTES : 4096;
      if (size > max)
        throw new StreamRefused(`tar ${type === 'x' ? 'pax' : 'long-name'} header larger than ${max} bytes`, 'refused');
      out.push(h);
      this.metaType = type;
      this.remaining = size;
      this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
      // collect data and its padding together
      this.remaining = size + this.pad;
      this.metaSize = size;
      this.state = size + this.pad === 0 ? 'header' : 'meta';
      if (this.state === 'header') this.meta(Buffer.alloc(0), []);
      return;
    }
    if (TYPE_NAMES[type])
      throw new StreamRefused(
        `the build context holds ${TYPE_NAMES[type]} (${cstring(h.subarray(0, 100))}); only files, directories and symlinks are sent`,
        'refused',
      );
    if (!['0', '5', '2', '7'].includes(type))
      throw new StreamRefused(`tar entry of unknown type ${JSON.stringify(type)}`, 'refused');

    const magic = h.subarray(257, 263).toString('latin1');
    let name = cstring(h.subarray(0, 100));
    if (magic === 'ustar\0') {
      const star = h.subarray(508, 512).toString('latin1') === 'tar\0';
      const prefix = cstring(h.subarray(345, star ? 476 : 500));
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    let linkname = cstring(h.subarray(157, 257));
    if (this.pending.path !== undefined) name = this.pending.path;
    if (this.pending.linkpath !== undefined) linkname = this.pending.linkpath;
    if (this.pending.size !== undefined) size = this.pending.size;
    this.pending = {};
    // Go's archive/tar: a V7 regular file whose name ends in '/' is a directory; directories and
    // symlinks are header-only (any size they state is ignored, no data follows).
    let kind = type === '7' ? '0' : type;
    if (h[156] === 0 && name.endsWith('/')) kind = '5';
    if (kind !== '0') size = 0;
    this.checkEntry(name, kind, linkname);
    this.entries++;
    out.push(h);
    const first = this.dockerfile === null && !this.collectingDockerfile;
    if (first) {
      if (size > MAX_DOCKERFILE_BYTES)
        throw new StreamRefused(`the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES} bytes`, 'refused');
      this.collectingDockerfile = true;
    }
    this.remaining = size;
    this.pad = (BLOCK - (this.remaining % BLOCK)) % BLOCK;
    if (this.remaining > 0) this.state = 'data';
    else {
      if (first) {
        this.collectingDockerfile = false;
        this.dockerfile = Buffer.alloc(0);
      }
      this.state = 'header';
    }
  }

  private metaSize = 0;

  private meta(data: Buffer, out: Buffer[]): void {
    const body = data.subarray(0, this.metaSize);
    if (this.metaType === 'x') {
      const rec = parsePax(body);
      const path = rec.get('path');
      const linkpath = rec.get('linkpath');
      const size = rec.get('size');
      if (path !== undefined) this.pending.path = path;
      if (linkpath !== undefined) this.pending.linkpath = linkpath;
      if (size !== undefined) {
        if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size)))
          throw new StreamRefused('tar pax header with a bad size', 'refused');
        this.pending.size = Number(size);
      }
    } else if (this.metaType === 'L') this.pending.path = cstring(body);
    else this.pending.linkpath = cstring(body);
    out.push(data);
    this.state = 'header';
  }

  private checkEntry(raw: string, type: string, linkname: string): void {
    const shown = JSON.stringify(raw);
    if (raw === '' || raw.includes('\0')) throw new StreamRefused('tar entry without a name', 'refused');
    if (raw.startsWith('/')) throw new StreamRefused(`tar entry ${shown} has an absolute name`, 'refused');
    if (raw.split('/').includes('..'))
      throw new StreamRefused(`tar entry ${shown} leads out of the context (..)`, 'refused');
    const name = clean(raw);
    if (this.dockerfile === null && !this.collectingDockerfile) {
      if (name !== this.dockerfileName || type !== '0')
        throw new StreamRefused(
          `the build context must begin with the Dockerfile ${JSON.stringify(this.dockerfileName)} as a regular file; it begins with ${shown}`,
          'refused',
        );
      return;
    }
    if (name === this.dockerfileName)
      throw new StreamRefused(`tar entry ${shown} names the Dockerfile a second time`, 'refused');
    if (this.ancestors.has(name) && type !== '5')
      throw new StreamRefused(
        `tar entry ${shown} would replace a directory of the Dockerfile with a ${type === '2' ? 'symlink' : 'file'}`,
        'refused',
      );
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++)
      if (this.symlinks.has(parts.slice(0, i).join('/')))
        throw new StreamRefused(`tar entry ${shown} lies under a symlink of the context`, 'refused');
    if (type === '2') {
      if (linkname === '') throw new StreamRefused(`symlink ${shown} has no target`, 'refused');
      this.symlinks.add(name);
    } else this.symlinks.delete(name);
  }
}

export interface OpenedContext {
  readonly dockerfile: Buffer;
  /** The bytes read so far (the Dockerfile's entry), to be passed on first. */
  readonly head: Buffer[];
  /** The rest of the checked bytes; throws StreamRefused on a violation or a truncated stream. */
  readonly rest: AsyncGenerator<Buffer>;
  readonly checker: ContextStreamChecker;
}

/** Reads `source` up to the end of the Dockerfile's entry; the rest flows through `rest`. */
export async function openContextStream(
  source: AsyncIterable<Buffer>,
  dockerfileName: string,
  maxBytes: number,
): Promise<OpenedContext> {
  const checker = new ContextStreamChecker(dockerfileName, maxBytes);
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  while (checker.dockerfile === null) {
    const r = await it.next();
    if (r.done) {
      checker.end();
      throw new StreamRefused('the build context holds no Dockerfile', 'refused');
    }
    head.push(...checker.push(r.value));
  }
  async function* rest(): AsyncGenerator<Buffer> {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const out = checker.push(r.value);
      if (out.length === 1) yield out[0];
      else if (out.length > 1) yield Buffer.concat(out);
    }
    checker.end();
  }
  return { dockerfile: checker.dockerfile, head, rest: rest(), checker };
}
