// Issue 8's findings, replayed as a second developer on the same host would try them: cida-dev1
// attacks, cida-dev2 is the victim, both non-root and in the cida-docker group only. Each attack
// is checked in what reached the engine (as root), not only in what the wrapper printed.
// Needs: e2e/setup-host.sh and `cida-docker setup --user cida-dev1 --user cida-dev2`.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, asAsync, auditLines, docker, JOB, POLICY, REG, suiteContainers, writePolicy } from './broker-helpers.js';
import { hostReady, sh } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const BROKER = '/usr/local/lib/cida-docker/broker';
const ready = hostReady() && fs.existsSync(BROKER) && docker('info', '--format', '{{.ServerVersion}}').status === 0;
const TAG = `registry.example.internal:5000/redteam/t${process.pid}`;

const POLICY_FOR_SUITE = {
  trustedRegistries: ['registry.example.internal:5000'],
  publishedPorts: { min: 49153, max: 65535 },
};

let savedPolicy: Buffer | null = null;
const made: string[] = [];
const images: string[] = [];

/** Builds an image as root (the legacy builder, no network), as an attacker's own image would be. */
function image(name: string, dockerfile: string): string {
  const tag = `${TAG}-${name}:1`;
  const r = sh(`DOCKER_BUILDKIT=0 /usr/local/bin/docker build -q -t ${tag} - 2>&1`, {
    input: dockerfile,
    timeoutMs: 120_000,
  });
  if (r.status !== 0) throw new Error(`build ${name}: ${r.stdout}`);
  images.push(tag);
  return tag;
}

function runD(user: string, args: string[]): string {
  const r = as(user, ['run', '-d', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const id = r.stdout.trim();
  made.push(id);
  return id;
}

/** Uid, Gid and Groups of a container's main process, read as root from /proc. */
function procIds(id: string): { uid: string; gid: string; groups: string } {
  const pid = docker('inspect', '--format', '{{.State.Pid}}', id).stdout.trim();
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = (k: string): string => (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').trim();
  return { uid: line('Uid'), gid: line('Gid'), groups: line('Groups') };
}

describe.runIf(ready)('red team: the broker holds against its own users', () => {
  const uid1 = Number(sh(`id -u ${DEV1}`).stdout.trim());
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy(POLICY_FOR_SUITE);
  });
  afterAll(() => {
    for (const id of [...made, ...suiteContainers()]) docker('rm', '-f', id);
    for (const t of images) docker('rmi', '-f', t);
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
  });

  describe('ownership is a record only the broker writes', () => {
    it("an image's cida.* labels, and a label with injected newlines and tabs, make no container anybody's", () => {
      const victim = runD(DEV2, ['--name', `dev2-db-${process.pid}`, `${REG}/busybox:1`]);
      // What finding 3 injected through the legacy builder's intermediate container, and an image claiming dev1.
      const forged = image(
        'labels',
        `FROM ${REG}/busybox:1\nLABEL cida.uid="${uid1}" cida.owner="${DEV1}" cida.evil="1001\\n${victim}\\tdev2-db\\t${uid1}"\n`,
      );
      const rootMade = docker(
        'run',
        '-d',
        '--label',
        `cida.ci-job=${JOB}`,
        '--label',
        `x=1\n${victim}\tdev2-db-${process.pid}\t${uid1}`,
        forged,
      ).stdout.trim();
      made.push(rootMade);
      expect(rootMade).toMatch(/^[0-9a-f]{64}$/);
      for (const ref of [rootMade, victim.slice(0, 12), `dev2-db-${process.pid}`]) {
        for (const verb of [['logs'], ['inspect'], ['exec', 'REF', 'env'], ['stop']]) {
          const argv = verb.includes('REF') ? verb.map((v) => (v === 'REF' ? ref : v)) : [...verb, ref];
          const r = as(DEV1, argv);
          expect({ argv, status: r.status === 0 }).toEqual({ argv, status: false });
          expect(r.stdout).not.toContain('DB_PASSWORD');
        }
      }
      expect(as(DEV1, ['ps', '-a', '-q', '--no-trunc']).stdout).not.toContain(rootMade);
      expect(as(DEV1, ['ps', '-a', '-q', '--no-trunc', '--filter', `id=${victim}`]).stdout).toBe('');
      // Both still run, untouched.
      expect(docker('inspect', '--format', '{{.State.Running}}', rootMade, victim).stdout).toBe('true\ntrue\n');
    });

    it("a name conflict does not tell another developer the victim's container id", () => {
      const name = `dev2-secret-${process.pid}`;
      const victim = runD(DEV2, ['--name', name, `${REG}/busybox:1`]);
      const r = as(DEV1, ['run', '-d', '--name', name, `${REG}/busybox:1`]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/already in use/);
      expect(r.stderr).not.toContain(victim);
      expect(r.stderr).not.toContain(victim.slice(0, 12));
      const audit = JSON.stringify(auditLines().filter((l) => l.user === DEV1));
      expect(audit).not.toContain(victim);
    });

    it("ps filters in docker's other spellings (' id=', 'ID=') and before/since never show another developer's containers", () => {
      const victim = runD(DEV2, [`${REG}/busybox:1`]);
      for (const f of [` id=${victim.slice(0, 4)}`, `ID=${victim.slice(0, 4)}`, `\tid=${victim.slice(0, 4)}`]) {
        const r = as(DEV1, ['ps', '-a', '-q', '--no-trunc', '--filter', f]);
        expect(r.stdout).not.toContain(victim);
      }
      const before = as(DEV1, ['ps', '-a', '--filter', `before=${victim}`]);
      expect(before.status).toBe(1);
      expect(before.stdout).not.toContain(victim.slice(0, 12));
    });

    it('a service may not join the build network, by name or by id prefix', () => {
      sh(
        `/usr/local/bin/docker network inspect cida-build >/dev/null 2>&1 || /usr/local/bin/docker network create cida-build >/dev/null`,
      );
      const id = docker('network', 'inspect', '--format', '{{.Id}}', 'cida-build').stdout.trim();
      for (const net of ['cida-build', id.slice(0, 12), 'name=cida-build,alias=deb.debian.org']) {
        const r = as(DEV1, ['run', '-d', '--network', net, `${REG}/busybox:1`]);
        expect({ net, status: r.status }).toEqual({ net, status: 77 });
      }
    });

    it('a secret -e value of exec never appears in the process list', async () => {
      const c = runD(DEV2, [`${REG}/busybox:1`]);
      // The victim's value comes from their environment (read from a file only they can read), never from an argv.
      const file = `/tmp/cida-e2e-secret-${process.pid}`;
      fs.writeFileSync(file, 'hunter2-victim', { mode: 0o600 });
      sh(`chown ${DEV2} ${file}`);
      const running = asAsync(DEV2, ['exec', '-e', 'DB_PASSWORD', c, 'sleep', '4'], {
        prelude: `export DB_PASSWORD=$(cat ${file});`,
      });
      let seen = '';
      for (let i = 0; i < 30; i++) {
        seen += sh('ps -eo args').stdout;
        await new Promise((r) => setTimeout(r, 100));
      }
      const done = await running.done;
      fs.rmSync(file, { force: true });
      expect(done.status).toBe(0);
      expect(seen).toMatch(/docker exec .*sleep 4/); // the root docker client was seen running
      expect(seen).not.toContain('hunter2-victim');
    });

    it('a container the broker did not create cannot be started through it, even by its labels', () => {
      const rootMade = docker(
        'create',
        '--label',
        `cida.uid=${uid1}`,
        '--label',
        `cida.ci-job=${JOB}`,
        `${REG}/busybox-root:1`,
      ).stdout.trim();
      made.push(rootMade);
      const r = as(DEV1, ['start', rootMade]);
      expect(r.status).not.toBe(0);
      expect(docker('inspect', '--format', '{{.State.Running}}', rootMade).stdout.trim()).toBe('false');
    });
  });

  describe('users are numbers, pinned at create time', () => {
    it('an image whose account files the service user can rewrite is refused: the engine reads them again at every start and exec', () => {
      for (const [name, step] of [
        ['writable-passwd', 'chmod 666 /etc/passwd /etc/group'],
        ['writable-etc', 'chmod 777 /etc'],
        ['owned-group', 'chown 1000:1000 /etc/group'],
      ]) {
        const img = image(name, `FROM ${REG}/busybox:1\nUSER 0\nRUN ${step}\nUSER 1000:1000\n`);
        for (const extra of [[], ['--restart', 'always']]) {
          const r = as(DEV1, ['run', '-d', ...extra, img]);
          expect({ name, extra, status: r.status, stdout: r.stdout }).toEqual({ name, extra, status: 77, stdout: '' });
          expect(r.stderr).toMatch(/\[root-user\].*writable by the service user/s);
        }
      }
      // The usual layout (root-owned, not writable) runs, with a restart policy too, pinned as numbers.
      const id = runD(DEV1, ['--restart', 'unless-stopped', `${REG}/busybox:1`]);
      expect(docker('inspect', '--format', '{{.Config.User}}', id).stdout.trim()).toBe('1000:1000');
      expect(as(DEV1, ['restart', id]).status).toBe(0);
      const ids = procIds(id);
      expect(ids.gid.split(/\s+/)).not.toContain('0');
      expect(ids.groups.split(/\s+/)).not.toContain('0');
    });

    it('a group *named* like the pinned gid with gid 0 is refused (runc looks numeric groups up by name)', () => {
      const img = image(
        'named-1000',
        `FROM ${REG}/busybox:1\nUSER 0\nRUN printf '1000:x:0:\\napp:x:1000:\\n' > /etc/group\nUSER 1000:1000\n`,
      );
      for (const extra of [[], ['--restart', 'always']]) {
        const r = as(DEV1, ['run', '-d', ...extra, img]);
        expect(r.status).toBe(77);
        expect(r.stderr).toMatch(/supplementary group 0/);
      }
    });

    it('a uid whose passwd entry has gid 0, and a --group-add named like a number with gid 0, are refused', () => {
      const img = image(
        'gid0',
        `FROM ${REG}/busybox:1\nUSER 0\nRUN echo rooty:x:1001:0::/:/bin/sh >> /etc/passwd && echo 1000:x:0: >> /etc/group\nUSER 1000\n`,
      );
      const before = suiteContainers().length;
      for (const args of [
        ['-u', '1001', img],
        ['--group-add', '1000', img],
        ['-u', '4242', img],
      ]) {
        const r = as(DEV1, ['run', '-d', ...args]);
        expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 77, stdout: '' });
        expect(r.stderr).toMatch(/\[root-user\].*(gid 0|group 0)/s);
      }
      expect(suiteContainers().length).toBe(before);
      // A numeric uid:gid that is not root runs, pinned as given.
      const id = runD(DEV1, ['-u', '4242:4242', img]);
      expect(procIds(id).gid.split(/\s+/)[0]).toBe('4242');
    });
  });

  describe('bounded work as root', () => {
    it('a 2 MiB /etc/passwd in the image is a clear refusal, not a crash', () => {
      const big = image(
        'big-passwd',
        `FROM ${REG}/busybox:1\nUSER 0\nRUN i=0; while [ $i -lt 40000 ]; do echo "u$i:x:$((i+20000)):100:padding-padding-padding::/:/bin/sh"; i=$((i+1)); done >> /etc/passwd\nUSER app\n`,
      );
      const r = as(DEV1, ['run', '-d', big]);
      expect(r.status).toBe(77);
      expect(r.stderr).toMatch(/larger than 1 MiB/);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js/);
    });
  });

  describe('ceilings the broker enforces', () => {
    it('an image exposing more ports than the policy allows is refused after create, and removed', () => {
      const ports = Array.from({ length: 20 }, (_, i) => 20000 + i).join(' ');
      const img = image('many-ports', `FROM ${REG}/busybox:1\nEXPOSE ${ports}\n`);
      const before = suiteContainers().length;
      const r = as(DEV1, ['run', '-d', img]);
      expect(r.status).toBe(77);
      expect(r.stderr).toMatch(/run\.maxPortsPerContainer/);
      expect(suiteContainers().length).toBe(before);
    });

    it('a developer may have at most run.maxContainersPerUser running containers', () => {
      try {
        // The ceiling is per developer: dev2 starts from none, dev1 from what earlier tests left running.
        const running = (user: string): string[] =>
          as(user, ['ps', '-q', '--no-trunc']).stdout.split('\n').filter(Boolean);
        for (const id of running(DEV2)) as(DEV2, ['rm', '-f', id]);
        const mine = running(DEV1).length;
        writePolicy({ ...POLICY_FOR_SUITE, run: { maxContainersPerUser: mine + 1 } });
        runD(DEV1, [`${REG}/busybox:1`]);
        const r = as(DEV1, ['run', '-d', `${REG}/busybox:1`]);
        expect(r.status).toBe(77);
        expect(r.stderr).toMatch(/run\.maxContainersPerUser/);
        // Another developer is not counted against dev1.
        runD(DEV2, [`${REG}/busybox:1`]);
      } finally {
        writePolicy(POLICY_FOR_SUITE);
      }
    });
  });

  describe('root never reads a path the developer named', () => {
    it('a forged build request with a path context is refused, audited, and builds nothing', () => {
      fs.writeFileSync('/tmp/cida-e2e-evil.Dockerfile', `FROM ${REG}/busybox:1\nCOPY etc/shadow /stolen\n`);
      const tag = `registry.example.internal:5000/x/evil-${process.pid}:1`;
      const req = JSON.stringify({
        v: 1,
        kind: 'docker',
        argv: ['build', '-f', 'tmp/cida-e2e-evil.Dockerfile', '-t', tag, '/'],
        cwd: '/',
      });
      const r = as(DEV1, [], { prelude: `export CIDA_DOCKER_REQUEST='${req}'; sudo -n ${BROKER}; exit $?; ` });
      expect(r.status).toBe(77);
      expect(docker('image', 'inspect', tag).status).not.toBe(0);
      const last = auditLines()
        .filter((l) => l.user === DEV1 && Array.isArray(l.argv) && l.argv[0] === 'build')
        .pop();
      expect(last?.verdict).toBe('refused');
    });
  });
});
