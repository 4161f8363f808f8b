import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { emitDockerArgv } from '../docker/emit.js';
import { parseDockerArgv } from '../docker/parse.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { withCallerEnv } from './request-env.js';
import type { BrokerContext } from './outcome.js';
import { readRecord } from './ownership.js';
import { brokerRun, createFromRun } from './run.js';

const forced = (argv: string[]) =>
  withForcedFlags(parseDockerArgv(argv), DEFAULT_POLICY, { user: 'dev1', uid: 1001, ciJob: 'job-7' });

describe('run → create', () => {
  it('keeps every hardening flag and label, drops only what create lacks', () => {
    const argv = emitDockerArgv(
      createFromRun(
        forced(['run', '-it', '--rm', '--detach-keys', 'ctrl-x', '--sig-proxy=false', '-p', '8080', 'img', 'sh']),
        true,
      ),
    );
    expect(argv).toEqual([
      'create',
      '--interactive',
      '--tty',
      '--rm',
      '--publish=8080',
      '--publish-all',
      '--security-opt=no-new-privileges',
      '--cap-drop=ALL',
      '--cgroupns=private',
      '--pids-limit=512',
      '--memory=1g',
      '--memory-swap=1g',
      '--log-driver=json-file',
      '--log-opt=max-size=20m',
      '--log-opt=max-file=5',
      '--label=cida.owner=dev1',
      '--label=cida.uid=1001',
      '--label=cida.ci-job=job-7',
      '--',
      'img',
      'sh',
    ]);
  });
  it('drops --rm for a foreground run (the broker removes it after wait)', () => {
    expect(emitDockerArgv(createFromRun(forced(['run', '--rm', 'img']), false))).not.toContain('--rm');
  });
  it('keeps the command words of `container run`', () => {
    expect(createFromRun(forced(['container', 'run', 'img']), true).words).toEqual(['container', 'create']);
  });
});

describe('-e NAME from the caller environment', () => {
  it('fills in values the front end sent and drops the rest', () => {
    const cmd = withCallerEnv(parseDockerArgv(['run', '-e', 'A', '-e', 'B=2', '-e', 'PATH', '-e', 'GONE', 'img']), {
      A: 'one',
      PATH: '/mine',
    });
    expect(cmd.flags.env).toEqual(['A=one', 'B=2', 'PATH=/mine']);
  });
  it('leaves a command without such entries alone', () => {
    const cmd = parseDockerArgv(['run', '-e', 'B=2', 'img']);
    expect(withCallerEnv(cmd, {})).toBe(cmd);
  });
});

// ---------------------------------------------------------------------------------------------
// brokerRun against a fake docker client (a small node script) that plays the engine: it records
// every call and answers create/inspect/cp/start from a scenario the test writes.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-run-'));
const records = path.join(dir, 'records');
const fake = path.join(dir, 'docker');
fs.writeFileSync(
  fake,
  `#!${process.execPath}
const fs = require('node:fs');
const dir = ${JSON.stringify(dir)};
const args = process.argv.slice(2);
fs.appendFileSync(dir + '/calls', JSON.stringify(args) + '\\n');
const s = JSON.parse(fs.readFileSync(dir + '/scenario.json', 'utf8'));
const n = () => Number(fs.existsSync(dir + '/n') ? fs.readFileSync(dir + '/n', 'utf8') : 0);
const tar = (text, type = '0', mode = 0o644) => {
  const h = Buffer.alloc(512); h.write('f'); h.write(mode.toString(8).padStart(7, '0'), 100); h.write('0000000', 108); h.write('0000000', 116);
  h.write(Buffer.byteLength(text).toString(8).padStart(11, '0'), 124); h.write(type, 156);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(text) / 512) * 512); body.write(text);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
};
switch (args[0]) {
  case 'create': { const i = n() + 1; fs.writeFileSync(dir + '/n', String(i)); const u = args.find((a) => a.startsWith('--user=')); fs.writeFileSync(dir + '/user', u ? u.slice(7) : s.user); console.log(String(i).repeat(64).slice(0, 64)); break; }
  case 'inspect': {
    const f = args[args.indexOf('--format') + 1];
    if (f.includes('.Config.User')) console.log(JSON.stringify([fs.readFileSync(dir + '/user', 'utf8'), n() > 1 && s.image2 ? s.image2 : s.image, s.exposed]));
    else console.log(JSON.stringify([{ Pid: 0, Running: true }, {}]));
    break;
  }
  case 'cp': { const file = args[args.length - 2].split(':')[1]; if (file === '/' || file === '/etc') { process.stdout.write(tar('', '5', s.dirMode ?? 0o755)); break; } const t = s.files[file]; if (t === undefined) { console.error('Error: Could not find the file ' + file); process.exit(1); } process.stdout.write(tar(t)); break; }
  case 'ps': break;
  default: break;
}
`,
  { mode: 0o755 },
);

const PASSWD = 'root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\nrooty:x:1001:0::/:/bin/sh\n';
const GROUP = 'root:x:0:\napp:x:1000:\n';
const id = (i: number): string => String(i).repeat(64);

function scenario(s: {
  user: string;
  image?: string;
  image2?: string;
  exposed?: Record<string, object>;
  files?: Record<string, string>;
  dirMode?: number;
}): void {
  fs.writeFileSync(
    path.join(dir, 'scenario.json'),
    JSON.stringify({ image: 'sha256:aaa', exposed: {}, files: { '/etc/passwd': PASSWD, '/etc/group': GROUP }, ...s }),
  );
}
function calls(): string[][] {
  const f = path.join(dir, 'calls');
  return fs.existsSync(f)
    ? fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
}
const ctx: BrokerContext = {
  engine: { docker: fake, env: { PATH: '/usr/bin:/bin' } },
  caller: { user: 'dev1', uid: 1001, viaSudo: true },
  policy: { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] },
  admin: false,
  records,
  store: () => ({ approvalFor: () => undefined, recordBuild: () => undefined, provenanceOf: () => undefined }),
};
const IMAGE = 'registry.example.internal/team/app:1';
const runD = (argv: string[]) => {
  const asked = parseDockerArgv(['run', '-d', ...argv, IMAGE]);
  return brokerRun(ctx, asked, withForcedFlags(asked, ctx.policy, { user: 'dev1', uid: 1001 }));
};

describe('brokerRun: the user is resolved once and pinned as numbers', () => {
  beforeEach(() => {
    for (const f of ['calls', 'n', 'user']) fs.rmSync(path.join(dir, f), { force: true });
    fs.rmSync(records, { recursive: true, force: true });
    fs.mkdirSync(records, { mode: 0o700 });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a USER name is looked up in the image's files, and the container is created again with uid:gid", async () => {
    scenario({ user: 'app' });
    const o = await runD([]);
    expect(o.exit).toBe(0);
    const creates = calls().filter((c) => c[0] === 'create');
    expect(creates).toHaveLength(2);
    expect(creates[1]).toEqual(expect.arrayContaining(['--user=1000:1000', '--pull=never']));
    expect(calls().find((c) => c[0] === 'rm')).toContain(id(1)); // the first one went
    expect(o.container).toBe(id(2));
    expect(readRecord(records, id(2))).toMatchObject({
      uid: 1001,
      user: 'dev1',
      runAs: { uid: 1000, gid: 1000 },
      image: 'sha256:aaa',
    });
    expect(readRecord(records, id(1))).toBeNull();
  });

  it('an image whose /etc the service user can write is refused: the engine reads the account files again at every start', async () => {
    scenario({ user: '1000:1000', dirMode: 0o777 });
    const o = await runD([]);
    expect({ exit: o.exit, rules: o.rules }).toEqual({ exit: 77, rules: ['root-user'] });
    expect(o.note).toMatch(/\/ is writable by the service user/);
    expect(calls().filter((c) => c[0] === 'start')).toEqual([]);
  });

  it('a group *named* like the pinned gid with gid 0 (runc looks numeric groups up by name) is refused', async () => {
    scenario({ user: '1000:1000', files: { '/etc/passwd': PASSWD, '/etc/group': `${GROUP}1000:x:0:\n` } });
    const o = await runD([]);
    expect(o.exit).toBe(77);
    expect(o.note).toMatch(/supplementary group 0/);
  });

  it('an image whose USER is already uid:gid is created once', async () => {
    scenario({ user: '1000:1000' });
    expect((await runD([])).exit).toBe(0);
    expect(calls().filter((c) => c[0] === 'create')).toHaveLength(1);
  });

  it('uid 0, gid 0 (a passwd entry in group root, a uid with no entry) are refused, removed, never recorded', async () => {
    for (const [user, why] of [
      ['', /uid 0/],
      ['rooty', /gid 0/],
      ['4242', /gid 0/],
      ['app:0', /gid 0/],
    ] as const) {
      scenario({ user });
      const o = await runD([]);
      expect({ user, exit: o.exit, rules: o.rules }).toEqual({ user, exit: 77, rules: ['root-user'] });
      expect(o.note).toMatch(why);
      expect(fs.readdirSync(records)).toEqual([]);
    }
    expect(calls().filter((c) => c[0] === 'start')).toEqual([]);
  });

  it('an image re-tagged between the two creates: removed, nothing started', async () => {
    scenario({ user: 'app', image2: 'sha256:bbb' });
    const o = await runD([]);
    expect(o.exit).toBe(125);
    expect(calls().filter((c) => c[0] === 'start')).toEqual([]);
    expect(fs.readdirSync(records)).toEqual([]);
  });

  it("more exposed ports than run.maxPortsPerContainer (the image's EXPOSE): refused and removed", async () => {
    scenario({
      user: '1000:1000',
      exposed: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`${9000 + i}/tcp`, {}])),
    });
    const o = await runD([]);
    expect(o.exit).toBe(77);
    expect(o.note).toMatch(/run\.maxPortsPerContainer/);
    expect(calls().filter((c) => c[0] === 'start')).toEqual([]);
  });

  it('a /etc/passwd larger than 1 MiB is a refusal with its reason, not a crash', async () => {
    scenario({ user: 'app', files: { '/etc/passwd': `${'x'.repeat(1100 * 1024)}\n${PASSWD}`, '/etc/group': GROUP } });
    const o = await runD([]);
    expect(o.exit).toBe(77);
    expect(o.note).toMatch(/larger than 1 MiB/);
  });
});
