// Differential test: for many generated context trees and .dockerignore files, the entries
// cida-docker packs are exactly the entries the real docker 28.2.2 client sends as a build context
// (classic builder: the tar is the body of POST /build, recorded here by a small fake engine).
// Skipped where that client is not installed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextPatterns, walkContext } from './pack.js';

const DOCKER = '/usr/local/bin/docker';
const has = fs.existsSync(DOCKER);
const SEED = Number(process.env.CIDA_DIFF_SEED ?? 90210);
const COUNT = Number(process.env.CIDA_IGNORE_COUNT ?? 60);

let server: Server;
let dir: string;
let socket: string;
let lastBody: Buffer | null = null;

async function entriesOf(body: Buffer): Promise<string[]> {
  const ex = tar.extract();
  const names: string[] = [];
  const done = (async () => {
    for await (const e of ex) {
      names.push(
        `${e.header.type === 'directory' ? 'd' : e.header.type === 'symlink' ? 'l' : 'f'} ${e.header.name.replace(/\/$/, '')}`,
      );
      e.resume();
    }
  })();
  ex.end(body);
  await done;
  return names.sort();
}

function dockerBuild(ctx: string, dockerfile?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      DOCKER,
      ['build', '-q', ...(dockerfile ? ['-f', dockerfile] : []), ctx],
      {
        env: {
          PATH: process.env.PATH,
          DOCKER_HOST: `unix://${socket}`,
          DOCKER_BUILDKIT: '0',
          DOCKER_CONFIG: path.join(dir, 'cfg'),
          HOME: dir,
        },
        timeout: 20_000,
      },
      (err, _out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

beforeAll(async () => {
  if (!has) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-ignore-'));
  socket = path.join(dir, 'engine.sock');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v\d+\.\d+/, '');
      if (p === '/_ping') {
        res.writeHead(200, {
          'Api-Version': '1.41',
          Ostype: 'linux',
          'Builder-Version': '1',
          'Content-Type': 'text/plain',
        });
        res.end('OK');
        return;
      }
      if (p === '/build') {
        lastBody = Buffer.concat(chunks);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
        res.end(`${JSON.stringify({ aux: { ID: `sha256:${'a'.repeat(64)}` } })}\n`);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"not here"}');
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});

afterAll(async () => {
  if (!has) return;
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

const NAMES = [
  'a',
  'b',
  'src',
  'node_modules',
  '.git',
  'x.txt',
  'y.log',
  'README.md',
  'build',
  'keep',
  '.env',
  'z.txt',
  'sub',
  'c.go',
];
const PATTERN_PARTS = [
  '*',
  '**',
  '*.txt',
  '*.log',
  'a',
  'b',
  'src',
  'node_modules',
  '.git',
  'keep',
  'sub',
  '?',
  '[ab]',
  'x.txt',
  '.env',
  'README*',
  'c.go',
];

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function makeTree(root: string, rnd: (n: number) => number): void {
  const mk = (d: string, depth: number): void => {
    fs.mkdirSync(d, { recursive: true });
    const n = 1 + rnd(5);
    for (let i = 0; i < n; i++) {
      const name = NAMES[rnd(NAMES.length)];
      const p = path.join(d, name);
      if (fs.existsSync(p) || isLink(p)) continue;
      if (depth < 3 && rnd(3) === 0) mk(p, depth + 1);
      else if (rnd(12) === 0) fs.symlinkSync(rnd(2) ? '../x.txt' : '/etc/passwd', p);
      else fs.writeFileSync(p, name);
    }
  };
  mk(root, 0);
  fs.writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n');
}

function makeIgnore(rnd: (n: number) => number): string {
  const lines: string[] = [];
  const n = rnd(6);
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    for (let k = 0, m = 1 + rnd(3); k < m; k++) parts.push(PATTERN_PARTS[rnd(PATTERN_PARTS.length)]);
    let line = parts.join('/');
    const r = rnd(10);
    if (r === 0) line = `!${line}`;
    else if (r === 1) line = `/${line}`;
    else if (r === 2) line = `./${line}`;
    else if (r === 3) line = `${line}/`;
    else if (r === 4) line = `  ${line}  `;
    else if (r === 5) line = `# ${line}`;
    else if (r === 6) line = `! ${line}`;
    lines.push(line);
    if (rnd(8) === 0) lines.push('');
  }
  if (rnd(6) === 0) lines.push('Dockerfile');
  if (rnd(6) === 0) lines.push('.dockerignore');
  return `${lines.join('\n')}\n`;
}

async function ours(ctx: string, dockerfile: string): Promise<string[]> {
  const entries = walkContext(ctx, contextPatterns(ctx), dockerfile);
  return entries.map((e) => `${e.type === 'directory' ? 'd' : e.type === 'symlink' ? 'l' : 'f'} ${e.name}`).sort();
}

describe.skipIf(!has)('.dockerignore: the same entries as docker 28.2.2 sends', () => {
  it('fixed cases', async () => {
    const cases: [string, string[]][] = [
      ['*\n!src\n', ['src/a', 'src/b/c', 'other']],
      ['**/*.log\n!keep/**\n', ['a.log', 'd/e.log', 'keep/x.log', 'keep/y/z.log']],
      ['/build\n./tmp\n', ['build/x', 'tmp/y', 'a/build/z']],
      ['sub/*\n!sub/keep\n', ['sub/keep', 'sub/drop', 'sub/deeper/x']],
      ['*\n!*/\n!**/*.go\n', ['a.go', 'b/c.go', 'b/d.txt']],
      ['Dockerfile\n.dockerignore\n*\n', ['x']],
    ];
    for (const [ignore, files] of cases) {
      const ctx = fs.mkdtempSync(path.join(dir, 'ctx-'));
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(ctx, f)), { recursive: true });
        fs.writeFileSync(path.join(ctx, f), f);
      }
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\n');
      fs.writeFileSync(path.join(ctx, '.dockerignore'), ignore);
      lastBody = null;
      const r = await dockerBuild(ctx);
      expect(r.code, r.stderr).toBe(0);
      expect(await ours(ctx, 'Dockerfile'), ignore).toEqual(await entriesOf(lastBody as unknown as Buffer));
    }
  });

  it(`${COUNT} generated trees (seed ${SEED})`, async () => {
    const rnd = rng(SEED);
    for (let i = 0; i < COUNT; i++) {
      const ctx = fs.mkdtempSync(path.join(dir, 'gen-'));
      makeTree(ctx, rnd);
      const ignore = makeIgnore(rnd);
      fs.writeFileSync(path.join(ctx, '.dockerignore'), ignore);
      lastBody = null;
      const r = await dockerBuild(ctx);
      if (r.code !== 0) {
        // docker refused the patterns (a bad pattern): so must we
        expect(() => walkContext(ctx, contextPatterns(ctx), 'Dockerfile'), `${ignore}\n${r.stderr}`).toThrow();
        continue;
      }
      expect(await ours(ctx, 'Dockerfile'), `tree ${i}, .dockerignore:\n${ignore}`).toEqual(
        await entriesOf(lastBody as unknown as Buffer),
      );
    }
  }, 120_000);
});
