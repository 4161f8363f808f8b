// `cida-docker shim install|uninstall [--dir DIR] [--force]`: a `docker` executable that runs
// cida-docker, for Makefiles and Jenkins, which never see a shell alias.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPolicy } from '../policy/load.js';
import { DEFAULT_POLICY, POLICY_PATH } from '../policy/policy.js';
import { isRoot, which } from './sys.js';

export const SHIM_MARKER = '# cida-docker shim';

export function defaultShimDir(): string {
  return isRoot() ? '/usr/local/bin' : path.join(os.homedir(), '.local', 'bin');
}

/** Quotes a path for a POSIX shell. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shimContent(cidaDocker: string): string {
  return [
    '#!/bin/sh',
    `${SHIM_MARKER}: \`docker\` runs cida-docker, which checks every command against this host's policy.`,
    '# Written by `cida-docker shim install`; `cida-docker shim uninstall` removes it.',
    `exec ${sq(cidaDocker)} "$@"`,
    '',
  ].join('\n');
}

/** Whether the file at `p` is a shim we wrote (any version). */
export function isOurShim(p: string): boolean {
  try {
    const st = fs.lstatSync(p);
    if (!st.isFile() || st.size > 4096) return false;
    return fs
      .readFileSync(p, 'utf8')
      .split('\n')
      .some((l) => l.startsWith(SHIM_MARKER));
  } catch {
    return false;
  }
}

/** The cida-docker this process was started as (absolute, symlinks kept: /usr/local/bin/cida-docker). */
export function currentCidaDocker(argv1 = process.argv[1]): string {
  return path.resolve(argv1);
}

export interface ShimIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

export function installShim(options: { dir?: string; force: boolean; cidaDocker?: string }, io: ShimIo): number {
  const dir = path.resolve(options.dir ?? defaultShimDir());
  const file = path.join(dir, 'docker');
  const target = options.cidaDocker ?? currentCidaDocker();
  if (!fs.existsSync(target)) {
    io.err(`cida-docker shim: cannot tell where this cida-docker is (${target} does not exist)`);
    return 1;
  }
  // The docker client the broker runs must never become the shim: the broker would run itself.
  let engineDocker = DEFAULT_POLICY.engine.docker;
  try {
    engineDocker = loadPolicy(POLICY_PATH).engine.docker;
  } catch {
    // a bad policy is doctor's business; keep the default
  }
  const protectedPaths = new Set([engineDocker, '/usr/bin/docker'].map((p) => realpath(p) ?? p));
  const st = fs.existsSync(file) || isSymlink(file) ? fs.lstatSync(file) : undefined;
  if (st && protectedPaths.has(realpath(file) ?? file)) {
    io.err(
      `cida-docker shim: ${file} is the real docker client${realpath(file) === realpath(engineDocker) ? ' that the broker runs (policy engine.docker)' : ''}; refusing to replace it, even with --force.`,
    );
    io.err(`Install the shim in a directory of its own that comes first on PATH: cida-docker shim install --dir DIR`);
    return 1;
  }
  const content = shimContent(target);
  if (st) {
    if (isOurShim(file)) {
      if (fs.readFileSync(file, 'utf8') === content && (st.mode & 0o777) === 0o755) {
        io.out(`${file} is already the shim for ${target}`);
        return reportPath(file, io);
      }
    } else if (!options.force) {
      io.err(
        `cida-docker shim: ${file} exists and is not a cida-docker shim; refusing to overwrite it (--force replaces it)`,
      );
      return 1;
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.docker.${process.pid}.tmp`);
  fs.writeFileSync(tmp, content, { mode: 0o755, flag: 'wx' });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, file);
  io.out(`${st ? 'replaced' : 'wrote'} ${file}: \`docker …\` now runs ${target} …`);
  return reportPath(file, io);
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Says whether `docker` on PATH is now the shim, and what to do if it is not. */
function reportPath(file: string, io: ShimIo): number {
  const found = which('docker');
  const dir = path.dirname(file);
  if (found && path.resolve(found) === file) {
    io.out(`\`docker\` on your PATH is the shim (${file})`);
  } else if (!(process.env.PATH ?? '').split(':').some((d) => d && path.resolve(d) === dir)) {
    io.err(
      `note: ${dir} is not on your PATH: add it first, e.g. export PATH="${dir}:$PATH" (Debian's ~/.profile adds ~/.local/bin at login when it exists)`,
    );
  } else {
    io.err(`note: ${found} comes before ${dir} on your PATH, so \`docker\` still runs it: put ${dir} first`);
  }
  return 0;
}

export function uninstallShim(options: { dir?: string; force: boolean }, io: ShimIo): number {
  const dir = path.resolve(options.dir ?? defaultShimDir());
  const file = path.join(dir, 'docker');
  if (!fs.existsSync(file) && !isSymlink(file)) {
    io.out(`no shim at ${file}: nothing to remove`);
    return 0;
  }
  if (!isOurShim(file)) {
    io.err(`cida-docker shim: ${file} is not a cida-docker shim; leaving it alone`);
    return 1;
  }
  fs.rmSync(file);
  io.out(`removed ${file}`);
  return 0;
}
