// Differential test: parseImageReference accepts exactly the names the real docker 28.2.2 client
// accepts. `docker pull NAME` against a socket that does not exist parses NAME with
// ParseNormalizedNamed first: a bad name fails with the reference error, a good one only fails to
// connect. Skipped where that client is not installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from './reference.js';

const DOCKER = '/usr/local/bin/docker';
const HEX64 = '8a521bab6a4876c6ed3e09b72f5d6aeda3bfd222a612894470726f3b76f1c11c';

const FIXED = [
  'alpine',
  'alpine:3.20',
  'Alpine',
  'docker.io/Alpine',
  'registry.example.internal/team/app:1.0',
  'registry.example.internal:443/team/app',
  'REGISTRY.EXAMPLE.INTERNAL/team/app',
  'Registry/team/app',
  'registry.example.іnternal/team/app:1.0',
  'foo_bar.com/x',
  'a:b/c',
  '[::1]:5000/team/app:v1',
  '[::1/app',
  '[fe80::1]/app',
  'localhost',
  'localhost:5000',
  'localhost/app',
  'registry.example.internal:1.0',
  `registry.example.internal/x@sha256:${HEX64}`,
  `registry.example.internal/x@sha256:${HEX64.toUpperCase()}`,
  `registry.example.internal/x@md5:${'a'.repeat(32)}`,
  `registry.example.internal/x:1@sha512:${'a'.repeat(128)}`,
  `sha256:${HEX64}`,
  `team/${'a'.repeat(250)}`,
  `team/${'a'.repeat(251)}`,
  'a'.repeat(247),
  'a'.repeat(248),
  'a/b.c_d__e---f',
  'a/b..c',
  'a/b._c',
  'a/_b',
  'a/b_',
  'x/y:.t',
  `x/y:${'t'.repeat(128)}`,
  `x/y:${'t'.repeat(129)}`,
  'host-/x',
  '-host/x',
  'ho-st.x/y',
  'host:/x',
  'host:99999999/x',
  'UPPER',
  'UP/per',
  'up/Per',
  'index.docker.io/x',
  'INDEX.DOCKER.IO/x',
  'x//y',
  'x/',
  '/x',
  ' x',
  'x ',
  'x@',
  'x:',
  ':x',
  '@sha256:' + HEX64,
];

/** Seeded mutations of a few names, so that the grammar's corners are hit without a list. */
function generated(seed: number, count: number): string[] {
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const bases = ['registry.example.internal/team/app:1.0', 'alpine', 'localhost:5000/a/b', 'a.b/c_d:e'];
  const alphabet = ['.', '_', '-', '/', ':', '@', 'A', 'a', '0', '__', '--', ':5000', '[', ']', 'é'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let x = bases[rnd(bases.length)] as string;
    for (let k = 0, n = 1 + rnd(3); k < n; k++) {
      const at = rnd(x.length + 1);
      const op = rnd(3);
      const piece = alphabet[rnd(alphabet.length)] as string;
      if (op === 0) x = x.slice(0, at) + piece + x.slice(at);
      else if (op === 1) x = x.slice(0, at) + x.slice(at + 1);
      else x = x.slice(0, at) + piece + x.slice(at + 1);
    }
    out.push(x);
  }
  return out;
}

function dockerAccepts(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile(
      DOCKER,
      ['-H', 'unix:///nonexistent/cida-docker-test.sock', 'pull', '-q', '--', name],
      { env, timeout: 20_000 },
      (err, stdout, stderr) => {
        const text = `${stdout}${stderr}`;
        if (/Cannot connect to the Docker daemon|connect: no such file/.test(text)) resolve(true);
        else if (err) resolve(false);
        else reject(new Error(`unexpected success for ${name}`));
      },
    );
  });
}

describe.skipIf(!existsSync(DOCKER))('parseImageReference agrees with the docker client', () => {
  const seed = Number(process.env.REFERENCE_SEED ?? 20250601);
  const names = [...new Set([...FIXED, ...generated(seed, 150)])];
  it(`on ${names.length} names (seed ${seed})`, async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'cida-ref-')),
      DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'cida-ref-')),
    };
    const disagreements: string[] = [];
    for (let i = 0; i < names.length; i += 16) {
      const batch = names.slice(i, i + 16);
      const results = await Promise.all(batch.map((n) => dockerAccepts(n, env)));
      batch.forEach((n, j) => {
        let ours = true;
        try {
          parseImageReference(n);
        } catch {
          ours = false;
        }
        if (ours !== results[j])
          disagreements.push(
            `${JSON.stringify(n)}: docker ${results[j] ? 'accepts' : 'rejects'}, we ${ours ? 'accept' : 'reject'}`,
          );
      });
    }
    expect(disagreements).toEqual([]);
  }, 120_000);
});
