// `cida-docker build [-t NAME]… [-f FILE] [--build-arg K=V]… [--target T] [--no-cache] [--pull]
// [-q] [--label K=V] CONTEXT`: parsed by the docker parser, checked early by the rulebook, then the
// context packed here, as the developer, and streamed to the broker's stdin (Dockerfile first).
// CONTEXT is any directory the developer can read, or `-` (a Dockerfile or a tar on stdin, told
// apart as docker tells them apart); `-f` any readable file, or `-` (the Dockerfile on stdin).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tty from 'node:tty';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { isSet, lastValue, UsageError } from '../docker/model.js';
import { decide } from '../guards/index.js';
import { formatUsageError, formatViolations } from '../guards/report.js';
import { readablePolicy } from '../policy/load.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { EXIT } from '../exit-codes.js';
import { callBroker } from '../cli/broker-client.js';
import { callerEnvProblem, ciJobOf } from '../cli/caller-env.js';
import type { BuildRequest } from '../broker/build-request.js';
import {
  type ContextEntry,
  contextPatterns,
  type Dockerfile,
  dockerfileNameIn,
  MAX_DOCKERFILE_BYTES,
  packContext,
  PackError,
  type PackProgress,
  readDockerfileBytes,
  RESERVED_DOCKERFILE,
  walkContext,
} from './pack.js';
import { type Reporter, startReporter } from './progress.js';

async function readAll(stream: NodeJS.ReadableStream, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > max) throw new PackError(`${what} is larger than ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Fills `--build-arg NAME` (no '=') from the developer's environment, as docker's client does; unset names are dropped. */
export function resolveBuildArgs(
  argv: readonly string[],
  values: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): string[] {
  const bare = new Set((values ?? []).filter((v) => !v.includes('=')));
  if (bare.size === 0) return [...argv];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--build-arg' && i + 1 < argv.length && bare.has(argv[i + 1])) {
      const v = env[argv[i + 1]];
      if (v !== undefined) out.push(a, `${argv[i + 1]}=${v}`);
      i++;
      continue;
    }
    const m = /^--build-arg=(.*)$/s.exec(a);
    if (m && bare.has(m[1])) {
      const v = env[m[1]];
      if (v !== undefined) out.push(`--build-arg=${m[1]}=${v}`);
      continue;
    }
    out.push(a);
  }
  return out;
}

/** What will be streamed: the Dockerfile and where the rest comes from. */
type Source =
  | { kind: 'dir'; dir: string; entries: ContextEntry[]; df: Dockerfile }
  | { kind: 'tar'; spool: string; df: Dockerfile; cleanup: () => void }
  | { kind: 'none'; df: Dockerfile };

const TAR_MAGIC_OFFSET = 257;

function looksLikeTar(head: Buffer): boolean {
  if (head.length < 512) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i];
  const want = parseInt(head.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim() || 'x', 8);
  return want === sum || head.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';
}

/** Stdin for context `-`: a tar (plain or gzip) is spooled to a private temp file; anything else is the Dockerfile. */
async function stdinContext(dockerfileFlag: string | undefined): Promise<Source> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-build-'));
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  const raw = path.join(tmp, 'stdin');
  try {
    await pipeline(process.stdin, fs.createWriteStream(raw, { mode: 0o600 }));
    const fd = fs.openSync(raw, 'r');
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    fs.closeSync(fd);
    let spool = raw;
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      spool = path.join(tmp, 'context.tar');
      await pipeline(fs.createReadStream(raw), zlib.createGunzip(), fs.createWriteStream(spool, { mode: 0o600 }));
      fs.rmSync(raw);
    } else if (n >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') {
      throw new PackError(
        'a bzip2-compressed context on stdin: decompress it first (bunzip2 -c ctx.tar.bz2 | cida-docker build -)',
      );
    } else if (n >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
      throw new PackError(
        'an xz-compressed context on stdin: decompress it first (xz -dc ctx.tar.xz | cida-docker build -)',
      );
    } else if (!looksLikeTar(head.subarray(0, n))) {
      const bytes = fs.readFileSync(raw);
      cleanup();
      if (bytes.length > MAX_DOCKERFILE_BYTES)
        throw new PackError(`the Dockerfile on stdin is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
      return { kind: 'none', df: { name: 'Dockerfile', bytes } };
    }
    // pass 1: the Dockerfile inside the tar
    const wanted = dockerfileFlag ?? 'Dockerfile';
    const clean = (n: string): string => path.posix.normalize(n).replace(/^\.\//, '').replace(/\/$/, '');
    let found: Buffer | null = null;
    let foundName = '';
    const names = new Set([clean(wanted), ...(dockerfileFlag === undefined ? ['dockerfile'] : [])]);
    const ex = tar.extract();
    const done = (async () => {
      for await (const entry of ex) {
        const name = clean(entry.header.name);
        if (found === null && names.has(name) && entry.header.type === 'file') {
          found = await readAll(
            entry as unknown as NodeJS.ReadableStream,
            MAX_DOCKERFILE_BYTES,
            `the Dockerfile ${name} in the tar on stdin`,
          );
          foundName = name;
        } else entry.resume();
      }
    })();
    await pipeline(fs.createReadStream(spool), ex);
    await done;
    if (found === null)
      throw new PackError(`the tar on stdin holds no ${wanted}: name it with -f (its path inside the tar)`);
    return { kind: 'tar', spool, df: { name: foundName, bytes: found }, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Re-packs the spooled tar with the Dockerfile first; hard links and devices are refused here too. */
async function repackTar(pack: tar.Pack, spool: string, df: Dockerfile, progress: PackProgress): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    pack.entry({ name: df.name, size: df.bytes.length, mode: 0o644, type: 'file' }, df.bytes, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  progress.files++;
  progress.bytes += df.bytes.length;
  const ex = tar.extract();
  const feed = pipeline(fs.createReadStream(spool), ex);
  for await (const entry of ex) {
    const h = entry.header;
    const name = path.posix.normalize(h.name).replace(/^\.\//, '').replace(/\/$/, '');
    if (name === df.name) {
      entry.resume();
      continue;
    }
    if (h.type !== 'file' && h.type !== 'directory' && h.type !== 'symlink' && h.type !== 'contiguous-file')
      throw new PackError(
        `the tar on stdin holds ${h.name}, a ${h.type}: only files, directories and symlinks can be sent`,
      );
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(
        {
          name: h.name,
          size: h.type === 'file' || h.type === 'contiguous-file' ? h.size : 0,
          mode: h.mode,
          mtime: h.mtime,
          uid: 0,
          gid: 0,
          type: h.type === 'contiguous-file' ? 'file' : h.type,
          linkname: h.linkname ?? undefined,
        },
        (e) => (e ? reject(e) : resolve()),
      );
      entry.on('data', (chunk: unknown) => {
        const c = chunk as Buffer;
        progress.bytes += c.length;
        if (!sink.write(c)) {
          entry.pause();
          sink.once('drain', () => entry.resume());
        }
      });
      entry.on('end', () => sink.end(undefined));
      entry.on('error', reject);
    });
    progress.files++;
  }
  await feed;
  pack.finalize();
}

/** Works out what to send. Throws PackError (exit 1) for files the developer cannot read. */
async function prepare(context: string, fileFlag: string | undefined): Promise<Source> {
  if (context === '-') {
    if (fileFlag === '-')
      throw new PackError('-f - and context -: stdin can hold the context or the Dockerfile, not both');
    return stdinContext(fileFlag);
  }
  let dir: string;
  try {
    dir = fs.realpathSync(context);
    if (!fs.statSync(dir).isDirectory())
      throw new PackError(`build context ${context}: not a directory (give a directory, or - for a tar on stdin)`);
  } catch (e) {
    if (e instanceof PackError) throw e;
    throw new PackError(
      `build context ${context}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`,
    );
  }
  let df: Dockerfile;
  let inContext: string | null = null;
  if (fileFlag === '-') {
    df = {
      name: RESERVED_DOCKERFILE,
      bytes: await readAll(process.stdin, MAX_DOCKERFILE_BYTES, 'the Dockerfile on stdin'),
    };
  } else {
    // -f is relative to the current directory (docker's GetContextFromLocalDir); the default is in the context.
    let file = fileFlag !== undefined && fileFlag !== '' ? path.resolve(fileFlag) : path.join(dir, 'Dockerfile');
    if (
      (fileFlag === undefined || fileFlag === '') &&
      !fs.existsSync(file) &&
      fs.existsSync(path.join(dir, 'dockerfile'))
    )
      file = path.join(dir, 'dockerfile');
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      throw new PackError(
        `cannot find the Dockerfile ${fileFlag ?? path.join(context, 'Dockerfile')}${fileFlag === undefined ? ' (name it with -f)' : ''}`,
      );
    }
    const name = dockerfileNameIn(dir, real);
    df = { name, bytes: readDockerfileBytes(real) };
    if (name !== RESERVED_DOCKERFILE) inContext = name;
  }
  const entries = walkContext(dir, contextPatterns(dir), inContext);
  if (inContext === null && entries.some((e) => e.name === RESERVED_DOCKERFILE))
    throw new PackError(
      `the build context holds a file named ${RESERVED_DOCKERFILE}, the name cida-docker gives a Dockerfile from outside the context; rename it`,
    );
  return { kind: 'dir', dir, entries, df };
}

export async function runBuild(argv: readonly string[]): Promise<number> {
  // Streaming 200 MB through allocates fast and keeps the walk's entries alive: V8 would grow its
  // young generation to tens of MiB. Keeping it at its start size holds the front end near 65 MiB.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  const envProblem = callerEnvProblem(process.env);
  if (envProblem !== null) {
    process.stderr.write(`${envProblem}\n`);
    return EXIT.usage;
  }
  const me = os.userInfo();
  const ciJob = ciJobOf(process.env);
  const policy = readablePolicy();
  let decision;
  try {
    decision = decide(argv, policy ?? DEFAULT_POLICY, { user: me.username, uid: me.uid, ciJob });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${formatUsageError(e)}\n`);
    return EXIT.usage;
  }
  const p = decision.parsed;
  const sendArgv = resolveBuildArgs(argv, p.flags['build-arg'], process.env);
  const request = (dockerfile: string): BuildRequest => ({
    v: 1,
    kind: 'build',
    argv: sendArgv,
    cwd: process.cwd(),
    dockerfile,
    ...(ciJob ? { ciJob } : {}),
  });
  if (policy !== null && !decision.allowed) {
    // The broker records the refusal (it decides the argv before it reads any context).
    const { code } = await callBroker(request('Dockerfile'), { feed: (stdin) => stdin.end() });
    if (code !== EXIT.notSetUp) return code;
    process.stderr.write(`${formatViolations(decision.violations)}\n`);
    return EXIT.refused;
  }
  if (isSet(p.flags, 'help')) return (await import('../cli/docker-verb.js')).runDockerVerb(argv);

  const quiet = isSet(p.flags, 'quiet');
  const fancy = !quiet && tty.isatty(2) && !process.env.CI;
  let source: Source;
  const progress: PackProgress = { files: 0, bytes: 0 };
  const reporter: Reporter = startReporter(fancy, quiet);
  try {
    reporter.packing();
    source = await prepare(p.args[0] ?? '.', lastValue(p.flags, 'file'));
  } catch (e) {
    await reporter.stop();
    if (!(e instanceof PackError)) throw e;
    process.stderr.write(`cida-docker build: ${e.message}\n`);
    return 1;
  }
  const total = source.kind === 'dir' ? source.entries.reduce((n, e) => n + e.size, 0) + source.df.bytes.length : 0;
  reporter.packed(source.kind === 'dir' ? source.entries.length + 1 : null, total);
  const pack = tar.pack();
  let packError: Error | null = null;
  const started = Date.now();
  const { code } = await callBroker(request(source.df.name), {
    output: reporter.output,
    feed: (stdin) => {
      stdin.on('error', () => {}); // the broker refused and stopped reading: its exit code says why
      (pack as unknown as NodeJS.ReadableStream).pipe(stdin);
      const work =
        source.kind === 'dir'
          ? packContext(pack, source.dir, source.df, source.entries, progress)
          : source.kind === 'tar'
            ? repackTar(pack, source.spool, source.df, progress)
            : packContext(pack, '/', source.df, [], progress);
      reporter.sending(progress, total, started);
      work.then(
        () => reporter.sent(progress, started),
        (e: Error) => {
          packError = e;
          // Stop before the tar's end: the broker refuses a truncated context, nothing is built.
          pack.destroy(e);
          stdin.end();
        },
      );
    },
  });
  if (source.kind === 'tar') source.cleanup();
  await reporter.stop();
  if (packError !== null) {
    process.stderr.write(`cida-docker build: ${(packError as Error).message}; nothing was built\n`);
    return code === 0 ? 1 : code;
  }
  return code;
}
