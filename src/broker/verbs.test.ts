// The broker's isolation between developers, against a fake docker client that records every
// call and answers `ps` with a listing the test controls (hostile names and labels included).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDockerArgv } from '../docker/parse.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { writeRecord } from './ownership.js';
import type { BrokerContext } from './outcome.js';
import { brokerVerb } from './verbs.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-verbs-'));
const records = path.join(dir, 'records');
const calls = path.join(dir, 'calls');
const listing = path.join(dir, 'listing');
const fake = path.join(dir, 'docker');
// Prints the listing for `ps --all`, a running state for inspect, fails `cp`; logs every argv (one per line, NUL-separated words).
fs.writeFileSync(
  fake,
  `#!/bin/sh
printf '%s\\0' "$@" >> ${calls}; echo >> ${calls}
case "$1 $2" in
  "start --attach") sleep 1; : > ${dir}/attach-ended ;;
  "ps --all") cat ${listing} ;;
  "inspect --type") echo '[{"Pid":0,"Running":true},{}]' ;;
  "image inspect") [ "$3" = --format ] && case "$6" in tools|dev2-db) echo sha256:${'f'.repeat(64)} ;; *) exit 1 ;; esac ;;
  "cp -L") case "$4" in *:/etc/passwd) cat ${dir}/passwd.tar ;; *:/etc/group) cat ${dir}/group.tar ;; esac ;;
esac
exit 0
`,
  { mode: 0o755 },
);

/** A one-file tar, as `docker cp CONTAINER:FILE -` prints it. */
function tarOf(name: string, content: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write(content.length.toString(8).padStart(11, '0'), 124, 'latin1');
  h.write('0', 156, 'latin1');
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content, 'latin1');
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}
fs.writeFileSync(path.join(dir, 'passwd.tar'), tarOf('passwd', 'root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n'));
fs.writeFileSync(path.join(dir, 'group.tar'), tarOf('group', 'root:x:0:\napp:x:1000:\n'));

const A = 'a'.repeat(64); // dev1's (record)
const B = 'b'.repeat(64); // dev2's (record)
const C = 'c'.repeat(64); // nobody's: made outside the broker, labels claiming dev1
const row = (id: string, name: string): string => JSON.stringify([id, name, 'running']);

function ctx(uid: number, admin = false): BrokerContext {
  return {
    engine: { docker: fake, env: { PATH: '/usr/bin:/bin' } },
    caller: { user: `dev${uid}`, uid, viaSudo: true },
    policy: DEFAULT_POLICY,
    admin,
    records,
    store: () => ({ approvalFor: () => undefined, recordBuild: () => undefined, provenanceOf: () => undefined }),
  };
}

/** The docker argvs the broker ran, after the listing queries. */
function ran(): string[][] {
  if (!fs.existsSync(calls)) return [];
  return fs
    .readFileSync(calls, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\0').filter((w) => w !== ''));
}
const verbs = (): string[] => ran().map((a) => a[0]);

beforeEach(() => {
  fs.rmSync(calls, { force: true });
  fs.rmSync(records, { recursive: true, force: true });
  fs.mkdirSync(records, { mode: 0o700 });
  fs.writeFileSync(
    listing,
    [row(A, 'web'), row(B, 'dev2-db'), row(C, 'root-made'), `["${C}","x\\n${B}\\tdev2-db\\t1","running"]`].join('\n'),
  );
  const rec = (id: string, uid: number): void =>
    writeRecord(records, {
      id,
      uid,
      user: `dev${uid}`,
      runAs: { uid: 1000, gid: 1000 },
      image: 'sha256:1',
      created: new Date().toISOString(),
    });
  rec(A, 1);
  rec(B, 2);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('brokerVerb: a developer touches only the containers the broker created for them', () => {
  it("somebody else's container, or one made outside the broker, answers like a missing one", async () => {
    for (const ref of ['dev2-db', B, B.slice(0, 12), C, 'root-made']) {
      const o = await brokerVerb(ctx(1), parseDockerArgv(['logs', ref]));
      expect({ ref, exit: o.exit }).toEqual({ ref, exit: 1 });
    }
    expect(verbs().filter((v) => v !== 'ps')).toEqual([]); // nothing but listings reached docker
  });

  it('the owner reaches their container by name, as a full id', async () => {
    const o = await brokerVerb(ctx(1), parseDockerArgv(['logs', 'web']));
    expect(o.exit).toBe(0);
    expect(ran().find((a) => a[0] === 'logs')).toEqual(['logs', '--', A]);
  });

  it("ps lists only the caller's records by id; the caller's own id filters cannot widen it", async () => {
    await brokerVerb(ctx(1), parseDockerArgv(['ps', '-a']));
    await brokerVerb(ctx(1), parseDockerArgv(['ps', '--filter', `id=${B}`]));
    await brokerVerb(ctx(3), parseDockerArgv(['ps']));
    // The red team's spellings: a leading space or upper case is still the id filter to docker.
    await brokerVerb(ctx(1), parseDockerArgv(['ps', '-a', '--filter', ' id=b']));
    await brokerVerb(ctx(1), parseDockerArgv(['ps', '-a', '--filter', 'ID =b']));
    const ps = ran().filter((a) => a[0] === 'ps' && !a.includes('--format'));
    const ids = (argv: string[]): string[] =>
      argv.filter((w) => /\bid=/.test(w)).map((w) => w.slice(w.indexOf('id=') + 3));
    expect(ids(ps[0])).toEqual([A]);
    expect(ids(ps[1])).toEqual(['z'.repeat(64)]);
    expect(ids(ps[2])).toEqual(['z'.repeat(64)]);
    expect(ids(ps[3])).toEqual(['z'.repeat(64)]);
    expect(ids(ps[4])).toEqual(['z'.repeat(64)]);
    expect(ps.flat().join(' ')).not.toContain(B);
  });

  it("ps reads the caller's ids from the records: one docker call, no listing; forged records do not count", async () => {
    const D = 'd'.repeat(64);
    const E = 'e'.repeat(64);
    // D: a copy of dev1's record under another id; E: a symlink to dev1's record.
    fs.copyFileSync(path.join(records, `${A}.json`), path.join(records, `${D}.json`));
    fs.symlinkSync(path.join(records, `${A}.json`), path.join(records, `${E}.json`));
    if (process.getuid?.() === 0) {
      // As root, a record file that is not root's is nobody's, whatever it says.
      const F = 'f'.repeat(64);
      writeRecord(records, {
        id: F,
        uid: 1,
        user: 'dev1',
        runAs: { uid: 1000, gid: 1000 },
        image: 'sha256:1',
        created: '',
      });
      fs.chownSync(path.join(records, `${F}.json`), 1, 1);
    }
    const o = await brokerVerb(ctx(1), parseDockerArgv(['ps', '-a', '--filter', 'status=running']));
    expect(o.exit).toBe(0);
    expect(ran()).toEqual([['ps', '--all', '--filter=status=running', `--filter=id=${A}`]]);
    // A stale record (its container removed since) only adds an id that matches nothing.
    fs.rmSync(calls);
    await brokerVerb(ctx(2), parseDockerArgv(['ps']));
    expect(ran()).toEqual([['ps', `--filter=id=${B}`]]);
  });

  it("ps with more records than it reads lists the engine instead, and still shows only the caller's", async () => {
    for (let i = 0; i < 300; i++)
      writeRecord(records, {
        id: i.toString(16).padStart(64, '9'),
        uid: 2,
        user: 'dev2',
        runAs: { uid: 1000, gid: 1000 },
        image: 'sha256:1',
        created: '',
      });
    await brokerVerb(ctx(1), parseDockerArgv(['ps']));
    const argvs = ran();
    expect(argvs[0].slice(0, 2)).toEqual(['ps', '--all']);
    expect(argvs[1]).toEqual(['ps', `--filter=id=${A}`]);
  });

  it("ps --filter before/since naming somebody else's container answers like a missing one", async () => {
    for (const f of [`before=${B}`, 'before=dev2-db', ' since=root-made']) {
      const o = await brokerVerb(ctx(1), parseDockerArgv(['ps', '--filter', f]));
      expect({ f, exit: o.exit }).toEqual({ f, exit: 1 });
    }
    expect((await brokerVerb(ctx(1), parseDockerArgv(['ps', '--filter', 'before=web']))).exit).toBe(0);
    expect(
      ran()
        .filter((a) => a[0] === 'ps' && !a.includes('--format'))
        .flat()
        .join(' '),
    ).toContain(`before=${A}`);
  });

  it('start and restart only for containers the broker created, also for administrators', async () => {
    const o = await brokerVerb(ctx(0, true), parseDockerArgv(['start', C]));
    expect(o.exit).toBe(77);
    expect(o.rules).toEqual(['root-user']);
    expect(verbs()).not.toContain('start');
    const ok = await brokerVerb(ctx(1), parseDockerArgv(['restart', 'web']));
    expect(ok.exit).toBe(0);
    expect(ran().find((a) => a[0] === 'restart')).toEqual(['restart', '--', A]);
  });

  it('start and restart of a stopped container count against run.maxContainersPerUser; a running one adds nothing', async () => {
    const D = 'd'.repeat(64);
    fs.appendFileSync(listing, `\n${JSON.stringify([D, 'stopped-one', 'exited'])}`);
    writeRecord(records, {
      id: D,
      uid: 1,
      user: 'dev1',
      runAs: { uid: 1000, gid: 1000 },
      image: 'sha256:1',
      created: '',
    });
    const one = { ...ctx(1), policy: { ...DEFAULT_POLICY, run: { ...DEFAULT_POLICY.run, maxContainersPerUser: 1 } } };
    for (const verb of ['start', 'restart']) {
      const o = await brokerVerb(one, parseDockerArgv([verb, 'stopped-one']));
      expect({ verb, exit: o.exit, rules: o.rules }).toEqual({ verb, exit: 77, rules: ['resource-limits'] });
    }
    expect(verbs()).not.toContain('start');
    expect(verbs()).not.toContain('restart');
    expect((await brokerVerb(one, parseDockerArgv(['restart', 'web']))).exit).toBe(0);
  });
  it('start -a checks the started container and lets the ceiling lock go while it is still attached', async () => {
    fs.rmSync(path.join(dir, 'attach-ended'), { force: true });
    let seenWhenStarted: string[][] | null = null;
    let endedWhenStarted = true;
    const o = await brokerVerb(
      {
        ...ctx(1),
        started: () => {
          seenWhenStarted = ran();
          endedWhenStarted = fs.existsSync(path.join(dir, 'attach-ended'));
        },
      },
      parseDockerArgv(['start', '-a', 'web']),
    );
    expect(o.exit).toBe(0);
    expect(endedWhenStarted).toBe(false); // released before the attachment ended
    expect(fs.existsSync(path.join(dir, 'attach-ended'))).toBe(true); // and the attachment ran its course
    // The container's state was read (and its main process checked) before the lock went.
    expect(seenWhenStarted!.some((a) => a[0] === 'inspect' && a.includes(A))).toBe(true);
  });

  it('exec -u must name the pinned user; without -u it runs as the container was created', async () => {
    const refused = await brokerVerb(ctx(1), parseDockerArgv(['exec', '-u', '4242:4242', 'web', 'id']));
    expect(refused.exit).toBe(77);
    expect(verbs()).not.toContain('exec');
    for (const u of ['root', '0:1000', 'app:0'])
      expect((await brokerVerb(ctx(1), parseDockerArgv(['exec', '-u', u, 'web', 'id']))).exit).toBe(77);
    expect(verbs()).not.toContain('exec');
    for (const u of ['1000:1000', 'app', '1000']) {
      const same = await brokerVerb(ctx(1), parseDockerArgv(['exec', '-u', u, 'web', 'id']));
      expect(same.exit).toBe(0);
    }
    // -u dropped: the engine keeps the start-time identity.
    expect(ran().filter((a) => a[0] === 'exec')).toEqual(Array(3).fill(['exec', '--', A, 'id']));
  });

  it("container inspect of somebody else's container answers exactly like a missing one", async () => {
    /** What a caller sees: exit code, stdout and stderr as the broker wrote them (docker's output aside). */
    const answer = async (argv: string[]) => {
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      out.mockClear();
      err.mockClear();
      const o = await brokerVerb(ctx(1), parseDockerArgv(argv));
      const text = (m: typeof out) => m.mock.calls.map((c) => String(c[0])).join('');
      return { exit: o.exit, rules: o.rules, stdout: text(out), stderr: text(err) };
    };
    for (const [ref, missing] of [
      ['dev2-db', 'dev3-db'],
      [B, 'd'.repeat(64)],
      [B.slice(0, 12), 'd'.repeat(12)],
      [C, 'e'.repeat(64)],
      ['root-made', 'root-maid'],
    ]) {
      for (const flags of [[], ['--format', '{{.Id}}'], ['-s']]) {
        const theirs = await answer(['container', 'inspect', ...flags, ref]);
        const none = await answer(['container', 'inspect', ...flags, missing]);
        expect(theirs).toEqual({ ...none, stderr: none.stderr.replaceAll(missing, ref) });
        expect(theirs.exit).toBe(1);
      }
    }
    expect((await answer(['container', 'inspect', 'dev2-db'])).stdout).toBe('[]\n');
    expect((await answer(['container', 'inspect', '-f', '{{.Id}}', 'dev2-db'])).stdout).toBe('\n');
    expect(ran().filter((a) => a[0] !== 'ps')).toEqual([]); // nothing but listings reached docker
  });

  it("container inspect reaches the owner's containers as full ids, with its own flags", async () => {
    const o = await brokerVerb(
      ctx(1),
      parseDockerArgv(['container', 'inspect', '-s', '-f', '{{.Id}}', 'web', 'dev2-db']),
    );
    expect(o.exit).toBe(1); // dev2-db: no such container
    expect(ran().filter((a) => a[0] !== 'ps')).toEqual([
      ['container', 'inspect', '--size', '--format={{.Id}}', '--', A],
    ]);
    fs.rmSync(calls, { force: true });
    expect((await brokerVerb(ctx(1), parseDockerArgv(['container', 'inspect', A.slice(0, 5)]))).exit).toBe(0);
    expect(ran().filter((a) => a[0] !== 'ps')).toEqual([['container', 'inspect', '--', A]]);
  });

  it('image inspect asks the engine for images only: a container name or id never reaches a container', async () => {
    for (const ref of ['dev2-db', B, B.slice(0, 12), 'web']) {
      fs.rmSync(calls, { force: true });
      await brokerVerb(ctx(1), parseDockerArgv(['image', 'inspect', ref]));
      // docker image inspect looks up images alone; no --type, no container listing needed.
      expect(ran()).toEqual([['image', 'inspect', '--', ref]]);
    }
    await brokerVerb(ctx(1), parseDockerArgv(['image', 'inspect', '--platform', 'linux/amd64', '-f', 'json', 'x']));
    expect(ran().at(-1)).toEqual(['image', 'inspect', '--platform=linux/amd64', '--format=json', '--', 'x']);
  });

  it("inspect of a name that is an image and somebody else's container shows the image, as if the container were missing", async () => {
    // `tools` is only an image; `dev2-db` is an image too, and dev2's container.
    for (const ref of ['tools', 'dev2-db']) {
      fs.rmSync(calls, { force: true });
      expect((await brokerVerb(ctx(1), parseDockerArgv(['inspect', ref]))).exit).toBe(0);
      // By the image's id: docker never resolves it to a container.
      expect(ran().at(-1)).toEqual(['inspect', '--type=image', '--', `sha256:${'f'.repeat(64)}`]);
    }
    expect(ran().flat()).not.toContain(B);
    fs.rmSync(calls, { force: true });
    await brokerVerb(ctx(1), parseDockerArgv(['inspect', 'web', 'tools']));
    expect(ran().at(-1)).toEqual(['inspect', '--', A, `sha256:${'f'.repeat(64)}`]);
  });

  it('a docker build request is refused: root would read the path it names', async () => {
    const o = await brokerVerb(ctx(1), parseDockerArgv(['build', '-t', 'registry.example.internal/x/y:1', '/']));
    expect(o.exit).toBe(77);
    expect(verbs()).not.toContain('build');
  });
});

describe('secrets stay off command lines others can read', () => {
  it('exec -e NAME=value hands docker -e NAME and the value in its environment; DOCKER_* stays put', async () => {
    const o = await brokerVerb(
      ctx(1),
      parseDockerArgv(['exec', '-e', 'DB_PASSWORD=hunter2', '-e', 'DOCKER_HOST=x', 'web', 'env']),
    );
    expect(o.exit).toBe(0);
    const exec = ran().find((a) => a[0] === 'exec') ?? [];
    expect(exec.join(' ')).not.toContain('hunter2');
    expect(exec).toContain('--env=DB_PASSWORD');
    expect(exec).toContain('--env=DOCKER_HOST=x'); // the root client must never read it from its environment
  });
});
