// The root boundary, for real: non-root developers (cida-dev1, cida-dev2, not in the docker group)
// drive the installed CLI through the real sudo rule and broker against the real engine; every
// verdict is checked in what reached the engine (docker inspect as root), not only in the output.
// Needs: e2e/setup-host.sh and `cida-docker setup --user cida-dev1 --user cida-dev2` (as .ci/run does).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  asAsync,
  AUDIT,
  auditLines,
  docker,
  hardeningProblems,
  inspect,
  JOB,
  POLICY,
  REG,
  suiteContainers,
  writePolicy,
  brokerReady,
  expectLikeMissing,
} from './broker-helpers.js';
import { asUser, sh } from './setup-helpers.js';

const DEV1 = 'cida-dev1';
const DEV2 = 'cida-dev2';
const OUTSIDER = 'cida-outsider';
const HEX64 = /^[0-9a-f]{64}\n$/;
const ready = brokerReady();

const SUITE_POLICY = {
  trustedRegistries: ['registry.example.internal:5000'],
  publishedPorts: { min: 49153, max: 65535 },
  admins: ['%cida-e2e-admins'],
  reviewers: ['%cida-e2e-reviewers'],
};

let savedPolicy: Buffer | null = null;
/** Every container id this suite saw, to check their HostConfig while they exist. */
const seen = new Set<string>();

function runD(user: string, args: string[], env?: Record<string, string>): string {
  const r = as(user, ['run', '-d', ...args], { env });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(HEX64);
  const id = r.stdout.trim();
  seen.add(id);
  return id;
}

describe.runIf(ready)('broker end to end', () => {
  beforeAll(() => {
    savedPolicy = fs.existsSync(POLICY) ? fs.readFileSync(POLICY) : null;
    writePolicy(SUITE_POLICY);
    sh(
      `groupadd -f cida-e2e-reviewers && groupadd -f cida-e2e-admins && gpasswd -a ${DEV2} cida-e2e-reviewers >/dev/null`,
    );
    sh(`rm -f /tmp/cida-e2e-pwned-*`);
  });
  afterAll(() => {
    for (const id of [...suiteContainers(), ...suiteContainers(`${JOB}-burst`)]) docker('rm', '-f', id);
    if (savedPolicy) fs.writeFileSync(POLICY, savedPolicy);
    sh(
      `gpasswd -d ${DEV2} cida-e2e-reviewers >/dev/null 2>&1; groupdel cida-e2e-reviewers; groupdel cida-e2e-admins; rm -rf /tmp/cida-e2e-*`,
    );
  });

  it('the test users are not in the docker group and cannot reach the engine directly', () => {
    for (const u of [DEV1, DEV2]) {
      expect(sh(`id -Gn ${u}`).stdout.split(/\s+/)).not.toContain('docker');
      expect(sh(`su - ${u} -c '/usr/local/bin/docker ps' 2>&1`).stdout).toMatch(/permission denied/);
    }
  });

  it('run -d: the id alone on stdout; a hardened, labelled, non-root container with published ports in range', () => {
    const used = sh('ss -Htln').stdout;
    let hostPort = 50000 + (process.pid % 9000);
    while (used.includes(`:${hostPort} `)) hostPort++;
    const id = runD(DEV1, ['-p', `${hostPort}:8080`, '--name', `web-${process.pid}`, `${REG}/web:1`]);
    const c = inspect(id);
    expect(hardeningProblems(c)).toEqual([]);
    expect(c.HostConfig.CapDrop).toEqual(['ALL']);
    expect(c.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(c.HostConfig.PidsLimit).toBe(512);
    expect(c.Config.Labels).toMatchObject({ 'cida.owner': DEV1, 'cida.uid': '1001', 'cida.ci-job': JOB });
    expect(c.NetworkSettings.Ports['8080/tcp'][0].HostPort).toBe(String(hostPort));
    const status = fs.readFileSync(`/proc/${c.State.Pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(
      sh(`for i in $(seq 30); do curl -sf http://127.0.0.1:${hostPort}/ && exit 0; sleep 0.5; done; exit 1`).stdout,
    ).toContain('cida-e2e web ok');
  });

  it('run -P without a host port: the engine picks a port, and it lies in the policy range', () => {
    const id = runD(DEV1, [`${REG}/web:1`]);
    const port = Number(inspect(id).NetworkSettings.Ports['8080/tcp'][0].HostPort);
    expect(port).toBeGreaterThanOrEqual(49153);
    expect(port).toBeLessThanOrEqual(65535);
  });

  it('ps shows only your own containers; -a, -q, --format and --filter keep working', () => {
    const mine = runD(DEV1, ['--name', `ps1-${process.pid}`, `${REG}/busybox:1`]);
    const theirs = runD(DEV2, ['--name', `ps2-${process.pid}`, `${REG}/busybox:1`]);
    const q1 = as(DEV1, ['ps', '-a', '-q', '--no-trunc']);
    expect(q1.status).toBe(0);
    expect(q1.stdout).toContain(mine);
    expect(q1.stdout).not.toContain(theirs);
    const q2 = as(DEV2, ['ps', '--all', '--quiet', '--no-trunc']).stdout;
    expect(q2).toContain(theirs);
    expect(q2).not.toContain(mine);
    expect(as(DEV1, ['ps', '--format', '{{.Names}}', '--filter', `name=ps1-${process.pid}`]).stdout).toBe(
      `ps1-${process.pid}\n`,
    );
    expect(as(DEV1, ['ps', '--format', '{{.Names}}', '--filter', `name=ps2-${process.pid}`]).stdout).toBe('');
    // Docker's own output, byte for byte: the same as docker's own listing of those containers
    // (column widths follow the rows, so compare against the same set of rows).
    const uid = sh('id -u cida-dev1').stdout.trim();
    expect(as(DEV1, ['ps', '--format', 'table {{.ID}}\t{{.Image}}\t{{.Names}}']).stdout).toBe(
      docker('ps', '--filter', `label=cida.uid=${uid}`, '--format', 'table {{.ID}}\t{{.Image}}\t{{.Names}}').stdout,
    );
  });

  it("dev2 cannot log, stop, exec into, inspect, kill or remove dev1's container: it answers as for a missing one", async () => {
    const name = `iso-${process.pid}`;
    const id = runD(DEV1, ['--name', name, `${REG}/busybox:1`]);
    const missing = `nosuch-${process.pid}`;
    const cases: string[][] = [];
    for (const verb of [
      ['logs'],
      ['stop'],
      ['start'],
      ['restart'],
      ['rm', '-f'],
      ['rm'],
      ['kill'],
      ['inspect'],
      ['port'],
      ['top'],
      ['wait'],
      ['stats', '--no-stream'],
      ['exec', 'REF', 'id'],
    ])
      for (const ref of verb[0] === 'logs' || verb[0] === 'inspect'
        ? [name, id, id.slice(0, 12)]
        : [name, id.slice(0, 12)])
        cases.push(
          verb.includes('REF') ? verb.map((a) => (a === 'REF' ? ref : a)) : [...verb, ref],
          verb.includes('REF') ? verb.map((a) => (a === 'REF' ? missing : a)) : [...verb, missing],
        );
    // All at once (none of them may change anything), each against the same with a missing name.
    const results = await Promise.all(cases.map((args) => asAsync(DEV2, args).done));
    for (let i = 0; i < cases.length; i += 2) {
      const args = cases[i];
      const ref = args.find((a) => a === name || a === id || a === id.slice(0, 12)) as string;
      const theirs = results[i];
      expectLikeMissing(args, theirs, ref, results[i + 1], missing);
      expect(theirs.stderr).toMatch(/No such (container|object)/);
    }
    // ... and the same command answers like docker itself does for a missing container.
    const real = docker('logs', missing);
    const ours = as(DEV2, ['logs', missing]);
    expect([ours.status, ours.stdout, ours.stderr]).toEqual([real.status, real.stdout, real.stderr]);
    const c = inspect(id);
    expect(c.State.Running).toBe(true);
  });

  it('the owner can logs, exec, top, port, inspect, stop, start, restart, wait and rm their own container', () => {
    const name = `own-${process.pid}`;
    const id = runD(DEV1, [
      '--name',
      name,
      `${REG}/busybox:1`,
      'sh',
      '-c',
      'echo hello-from-the-container; exec sleep 300',
    ]);
    let r = as(DEV1, ['logs', name]);
    for (let i = 0; i < 20 && !r.stdout.includes('hello'); i++) r = as(DEV1, ['logs', name]);
    expect(r.stdout).toBe('hello-from-the-container\n');
    expect(as(DEV1, ['exec', name, 'id', '-u']).stdout).toBe('1000\n');
    expect(as(DEV1, ['exec', id.slice(0, 10), 'sh', '-c', 'exit 4']).status).toBe(4);
    expect(as(DEV1, ['top', name]).stdout).toMatch(/sleep 300/);
    expect(as(DEV1, ['inspect', '--format', '{{.Id}}', name]).stdout).toBe(`${id}\n`);
    expect(as(DEV1, ['inspect', '--format', '{{.Config.User}}', `${REG}/busybox:1`]).stdout).toBe('1000\n'); // images are shared
    expect(as(DEV1, ['stop', '-t', '1', name]).stdout).toBe(`${name}\n`); // docker echoes the name as given
    expect(as(DEV1, ['wait', name]).stdout).toMatch(/^\d+\n$/);
    expect(as(DEV1, ['start', name]).stdout).toBe(`${name}\n`);
    expect(as(DEV1, ['restart', '-t', '1', id.slice(0, 12)]).stdout).toBe(`${id.slice(0, 12)}\n`);
    expect(as(DEV1, ['rm', '-f', name]).stdout).toBe(`${name}\n`);
    expect(docker('inspect', id).status).not.toBe(0);
  });

  it('an image without USER, an image whose USER is a name for uid 0, and -u root/0/admin are refused; nothing is left running', () => {
    const before = suiteContainers().length;
    for (const args of [
      [`${REG}/busybox-root:1`],
      [`${REG}/busybox-named-root:1`],
      ['-u', 'admin', `${REG}/busybox:1`],
      ['-u', '0', `${REG}/busybox:1`],
      ['-u', 'root', `${REG}/busybox:1`],
    ]) {
      const r = as(DEV1, ['run', '-d', ...args]);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 77, stdout: '' });
      expect(r.stderr).toMatch(/\[root-user\]/);
    }
    expect(suiteContainers().length).toBe(before);
  });

  it('exec -u 0 or a user name that is uid 0 in the container is refused', () => {
    const id = runD(DEV1, [`${REG}/busybox:1`]);
    for (const u of ['0', 'root', 'admin']) {
      const r = as(DEV1, ['exec', '-u', u, id, 'id', '-u']);
      expect(r.status).toBe(77);
      expect(r.stdout).toBe('');
    }
    expect(as(DEV1, ['exec', '--privileged', id, 'id']).status).toBe(77);
  });

  it('refuses what the rulebook refuses, with exit 77, and nothing reaches the engine', () => {
    const before = suiteContainers().length;
    for (const args of [
      ['-v', '/:/host'],
      ['--privileged'],
      ['--net=host'],
      ['--cap-add', 'SYS_ADMIN'],
      ['-itv/:/x'],
      ['--pid', 'host'],
    ]) {
      const r = as(DEV1, ['run', '-d', ...args, `${REG}/busybox:1`]);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 77, stdout: '' });
    }
    expect(as(DEV1, ['cp', 'x:/etc/passwd', '/tmp/x']).status).not.toBe(0);
    expect(suiteContainers().length).toBe(before);
  });

  it('foreground run: streams the output, exits with the container exit code, --rm removes it', () => {
    const r = as(DEV1, [
      'run',
      '--rm',
      '--name',
      `fg-${process.pid}`,
      `${REG}/busybox:1`,
      'sh',
      '-c',
      'echo to-stdout; echo to-stderr >&2; exit 3',
    ]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('to-stdout\n');
    expect(r.stderr).toBe('to-stderr\n');
    expect(docker('inspect', `fg-${process.pid}`).status).not.toBe(0);
    const kept = as(DEV1, ['run', '--name', `fg2-${process.pid}`, `${REG}/busybox:1`, 'true']);
    expect(kept.status).toBe(0);
    const c = inspect(`fg2-${process.pid}`);
    expect(c.HostConfig.PublishAllPorts).toBe(true);
    expect(c.State.Running).toBe(false);
  });

  it('on a terminal, run -it attaches and exec -it is interactive; exit codes pass through', () => {
    const pty = (cmd: string, input = ''): ReturnType<typeof sh> =>
      sh(
        `printf ${JSON.stringify(input)} | su - ${DEV1} -c ${JSON.stringify(`BUILD_TAG=${JOB} script -qec "${cmd}" /dev/null`)}`,
      );
    const cli = process.env.CIDA_E2E_CLI ?? '/usr/local/bin/cida-docker';
    const shell = pty(`${cli} run -it --rm ${REG}/busybox:1 sh`, 'echo typed-$((6*7)); exit 7\n');
    expect(shell.status).toBe(7);
    expect(shell.stdout).toContain('typed-42');
    const id = runD(DEV1, [`${REG}/busybox:1`]);
    const exec = pty(`${cli} exec -it ${id.slice(0, 12)} sh -c 'tty; id -u; exit 6'`);
    expect(exec.status).toBe(6);
    expect(exec.stdout).toMatch(/\/dev\/pts\/\d+[\s\S]*\b1000\b/);
  });

  it('run -i with stdin from a pipe is refused with a hint', () => {
    const r = as(DEV1, ['run', '-i', `${REG}/busybox:1`, 'cat'], { input: 'data\n' });
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/stdin/);
  });

  it('Ctrl-C on a foreground run stops the container (and --rm removes it)', async () => {
    const name = `sig-${process.pid}`;
    const { child, done } = asAsync(DEV1, [
      'run',
      '--rm',
      '--stop-timeout',
      '1',
      '--name',
      name,
      `${REG}/busybox:1`,
      'sh',
      '-c',
      'echo started; exec sleep 300',
    ]);
    for (let i = 0; i < 60 && docker('inspect', '--format', '{{.State.Running}}', name).stdout.trim() !== 'true'; i++)
      await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(-(child.pid as number), 'SIGINT'); // the whole process group, as a terminal does
    const r = await done;
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('started');
    for (let i = 0; i < 20 && docker('inspect', name).status === 0; i++)
      await new Promise((res) => setTimeout(res, 500));
    expect(docker('inspect', name).status).not.toBe(0);
  });

  it('a secret -e value reaches the container and no log', () => {
    const secret = `s3cret-${process.pid}-${Date.now()}`;
    const id = runD(DEV1, ['-e', `DB_PASSWORD=${secret}`, '-e', 'FROM_ENV', `${REG}/busybox:1`], {
      FROM_ENV: `${secret}-2`,
    });
    expect(inspect(id).Config.Env).toEqual(expect.arrayContaining([`DB_PASSWORD=${secret}`, `FROM_ENV=${secret}-2`]));
    expect(fs.readFileSync(AUDIT, 'utf8')).not.toContain(secret);
    for (const log of ['/var/log/auth.log', '/var/log/sudo.log', '/var/log/syslog'])
      if (fs.existsSync(log)) expect(fs.readFileSync(log, 'utf8')).not.toContain(secret);
    const line = auditLines().find((l) => l.container === id);
    expect(line?.argv).toContain('DB_PASSWORD=***');
    expect(line?.finalArgv).toContain('--env=FROM_ENV=***');
  });

  describe('attacks change nothing', () => {
    const marker = (tag: string): string => `/tmp/cida-e2e-pwned-${tag}`;
    const evil = (tag: string): string => `echo "$(id -u)" >> ${marker(tag)}`;
    function rootMarkers(): string[] {
      return sh('grep -l "^0$" /tmp/cida-e2e-pwned-* 2>/dev/null').stdout.split('\n').filter(Boolean);
    }

    it('NODE_OPTIONS=--require … runs nothing as root', () => {
      sh(
        `printf '%s\\n' 'require("fs").appendFileSync("${marker('node')}", process.getuid() + "\\n")' > /tmp/cida-e2e-evil.cjs; chmod 644 /tmp/cida-e2e-evil.cjs`,
      );
      runD(DEV1, [`${REG}/busybox:1`], { NODE_OPTIONS: '--require /tmp/cida-e2e-evil.cjs' });
      expect(rootMarkers()).toEqual([]);
    });

    it('DOCKER_HOST=tcp://… and friends are refused with exit 2, not ignored', () => {
      const envs: Record<string, string>[] = [
        { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
        { DOCKER_CONTEXT: 'remote' },
        { DOCKER_TLS_VERIFY: '1' },
        { DOCKER_CERT_PATH: '/tmp' },
      ];
      for (const env of envs) {
        const r = as(DEV1, ['ps'], { env });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/only talks to this host's own Docker engine/);
      }
      expect(as(DEV1, ['ps', '-q'], { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } }).status).toBe(0);
    });

    it('a fake docker (and sudo helpers) first on PATH, a HOME with a docker config and credential helper, a directory the user controls', () => {
      const home = `/tmp/cida-e2e-home-${process.pid}`;
      sh(`mkdir -p ${home}/bin ${home}/.docker && printf '#!/bin/sh\\n${evil('path')}\\n' > ${home}/bin/docker && cp ${home}/bin/docker ${home}/bin/docker-credential-evil && chmod 755 ${home}/bin/* &&
        echo '{"credsStore":"evil","psFormat":"HIJACKED {{.ID}}","proxies":{"default":{"httpProxy":"http://127.0.0.1:9"}}}' > ${home}/.docker/config.json && cp ${home}/bin/docker ${home}/node && chown -R ${DEV1} ${home}`);
      const id = runD(DEV1, [`${REG}/busybox:1`], {
        HOME: home,
        DOCKER_CONFIG: `${home}/.docker`,
        PATH: `${home}/bin:/usr/local/bin:/usr/bin:/bin`,
      });
      const ps = as(DEV1, ['ps', '--no-trunc'], {
        env: { HOME: home, DOCKER_CONFIG: `${home}/.docker`, PATH: `${home}/bin:/usr/local/bin:/usr/bin:/bin` },
        cwd: home,
      });
      expect(ps.stdout).toContain(id);
      expect(ps.stdout).not.toContain('HIJACKED');
      expect(inspect(id).Config.Env.join(' ')).not.toMatch(/127\.0\.0\.1:9/);
      expect(sh(`ls /tmp/cida-e2e-pwned-path 2>/dev/null`).stdout).toBe('');
      const line = auditLines()
        .filter((l) => l.argv?.[0] === 'ps')
        .pop();
      expect(line?.claims?.cwd).toBe(home); // the caller's claim, recorded as such
    });

    it('a policy made world-writable (or not root-owned) stops the broker: exit 78', () => {
      try {
        fs.chmodSync(POLICY, 0o666);
        let r = as(DEV1, ['ps']);
        expect(r.status).toBe(78);
        expect(r.stderr).toMatch(/writable/);
        fs.chmodSync(POLICY, 0o644);
        fs.chownSync(POLICY, 1001, 0);
        r = as(DEV1, ['ps']);
        expect(r.status).toBe(78);
      } finally {
        fs.chownSync(POLICY, 0, 0);
        fs.chmodSync(POLICY, 0o644);
      }
      expect(as(DEV1, ['ps', '-q']).status).toBe(0);
    });

    it('the broker called with a forged request or by hand does nothing it would not do anyway', () => {
      const r = as(DEV1, [], {
        prelude: `export CIDA_DOCKER_REQUEST='{"v":1,"kind":"docker","argv":["run","-d","-v","/:/host","${REG}/busybox:1"],"cwd":"/"}'; sudo -n /usr/local/lib/cida-docker/broker; exit $?; `,
      });
      expect(r.status).toBe(77);
      const bad = as(DEV1, [], {
        prelude: `export CIDA_DOCKER_REQUEST='{"v":1,"kind":"docker","argv":["ps"],"cwd":"/","docker":"/tmp/x"}'; sudo -n /usr/local/lib/cida-docker/broker; exit $?; `,
      });
      expect(bad.status).toBe(2);
      // Arguments on sudo's command line are not allowed by the rule at all.
      const args = as(DEV1, [], { prelude: 'sudo -n /usr/local/lib/cida-docker/broker ps; exit $?; ' });
      expect(args.status).toBe(1);
      expect(args.stderr).toMatch(/password is required|not allowed/);
    });
  });

  it('a port the engine published outside the policy range: the container is removed and the run refused', () => {
    try {
      writePolicy({ ...SUITE_POLICY, publishedPorts: { min: 65000, max: 65535 } });
      const before = suiteContainers().length;
      const r = as(DEV1, ['run', '-d', `${REG}/web:1`]);
      expect(r.status).toBe(77);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/ip_local_port_range/);
      expect(suiteContainers().length).toBe(before);
    } finally {
      writePolicy(SUITE_POLICY);
    }
  });

  it("-v and --version print docker's own version line", () => {
    const real = docker('--version').stdout;
    expect(real).toMatch(/^Docker version 28\.2\.2, build \w+\n$/);
    expect(as(DEV1, ['-v']).stdout).toBe(real);
    expect(as(DEV1, ['--version']).stdout).toBe(real);
    // `version` adds the wrapper's own version; with --format it is docker's alone.
    expect(as(DEV1, ['version']).stdout).toMatch(
      /^cida-docker:\n Version: +\d+\.\d+\.\d+\n[\s\S]*Client:[\s\S]*Server:/,
    );
    expect(as(DEV1, ['version', '--format', '{{.Client.Version}}']).stdout).toBe('28.2.2\n');
  });

  it('a user outside the cida-docker group gets exit 69 and a pointer to doctor', () => {
    const r = as(OUTSIDER, ['ps']);
    expect(r.status).toBe(69);
    expect(r.stderr).toMatch(/cida-docker doctor/);
  });

  it('20 concurrent runs by two users leave exactly one intact decision line and one outcome line per request', async () => {
    const job = `${JOB}-burst`;
    const runs = Array.from({ length: 20 }, (_, i) =>
      asAsync(i % 2 ? DEV2 : DEV1, ['run', '-d', ...(i % 5 === 0 ? ['--privileged'] : []), `${REG}/busybox:1`], {
        env: { BUILD_TAG: job },
      }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(16).fill(0), ...Array(4).fill(77)]);
    const text = fs.readFileSync(AUDIT, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const all = lines.filter((l) => l.claims?.ciJob === job);
    expect(all.length).toBe(40);
    const mine = all.filter((l) => l.phase === 'outcome');
    expect(mine.length).toBe(20);
    expect(new Set(mine.map((l) => l.id))).toEqual(new Set(all.filter((l) => l.phase === 'decision').map((l) => l.id)));
    expect(mine.filter((l) => l.verdict === 'refused').map((l) => l.rules)).toEqual(Array(4).fill(['privileged']));
    for (const id of suiteContainers(job)) {
      expect(hardeningProblems(inspect(id))).toEqual([]);
      docker('rm', '-f', id);
    }
  });

  it('audit: reviewers (a %group) read it, --user/--since/--json filter; others are refused', () => {
    const refused = as(DEV1, ['audit']);
    expect(refused.status).toBe(77);
    const json = as(DEV2, ['audit', '--user', DEV1, '--since', '30m', '--json']);
    expect(json.status).toBe(0);
    const recs = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(recs.length).toBeGreaterThan(5);
    expect(new Set(recs.map((r) => r.user))).toEqual(new Set([DEV1]));
    const table = as(DEV2, ['audit', '--since', '5m']);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+USER\s+VERDICT\s+EXIT\s+RULES\s+COMMAND$/);
  });

  it('policy admins (by %group) see and act on every container', () => {
    const id = runD(DEV1, [`${REG}/busybox:1`]);
    sh(`gpasswd -a ${DEV2} cida-e2e-admins >/dev/null`);
    try {
      expect(as(DEV2, ['ps', '-q', '--no-trunc']).stdout).toContain(id);
      expect(as(DEV2, ['inspect', '--format', '{{.Id}}', id]).stdout).toBe(`${id}\n`);
    } finally {
      sh(`gpasswd -d ${DEV2} cida-e2e-admins >/dev/null`);
    }
    expect(as(DEV2, ['ps', '-q', '--no-trunc']).stdout).not.toContain(id);
  });

  describe("docker's management spellings (container inspect, image inspect, image ls, …)", () => {
    it("dev2 inspecting dev1's container through container inspect and image inspect answers like a missing one", async () => {
      const name = `insp-${process.pid}`;
      const id = runD(DEV1, ['--name', name, `${REG}/busybox:1`]);
      const missing = `nosuch-insp-${process.pid}`;
      const refs = [name, id, id.slice(0, 12)];
      const spellings = [
        ['container', 'inspect'],
        ['container', 'inspect', '-s'],
        ['container', 'inspect', '--format', '{{.Id}}'],
        ['image', 'inspect'],
        ['image', 'inspect', '--format', '{{.Id}}'],
      ];
      // Each against a missing reference of the same shape (the engine answers a name with its `:latest`).
      const missingLike = (ref: string): string => (ref === name ? missing : 'dead'.repeat(16).slice(0, ref.length));
      const cases = spellings.flatMap((v) =>
        refs.flatMap((ref) => [
          [...v, ref],
          [...v, missingLike(ref)],
        ]),
      );
      const results = await Promise.all(cases.map((args) => asAsync(DEV2, args).done));
      for (let i = 0; i < cases.length; i += 2) {
        const args = cases[i];
        const ref = args.at(-1) as string;
        const theirs = results[i];
        expectLikeMissing(args, theirs, ref, results[i + 1], missingLike(ref));
        expect(theirs.status).toBe(1);
        expect(theirs.stdout).not.toContain(id);
        expect(theirs.stderr).toMatch(/No such (container|image)/);
      }
      // ... and a missing one answers as docker itself answers.
      for (const v of [
        ['container', 'inspect'],
        ['image', 'inspect'],
      ]) {
        const real = docker(...v, missing);
        const ours = as(DEV2, [...v, missing]);
        expect([ours.status, ours.stdout, ours.stderr]).toEqual([real.status, real.stdout, real.stderr]);
      }
      expect(inspect(id).State.Running).toBe(true);
      docker('rm', '-f', id);
    });

    it('the owner inspects their container by name and id prefix, -s works; image inspect reads shared images only', () => {
      const name = `insp-own-${process.pid}`;
      const id = runD(DEV1, ['--name', name, `${REG}/busybox:1`]);
      expect(as(DEV1, ['container', 'inspect', '--format', '{{.Id}}', name]).stdout).toBe(`${id}\n`);
      expect(as(DEV1, ['container', 'inspect', '-f', '{{.Name}}', id.slice(0, 10)]).stdout).toBe(`/${name}\n`);
      const sized = as(DEV1, ['container', 'inspect', '-s', '--format', '{{.SizeRootFs}}', name]);
      expect([sized.status, sized.stdout]).toEqual([0, expect.stringMatching(/^[1-9]\d*\n$/)]);
      const json = as(DEV1, ['container', 'inspect', name]);
      expect(JSON.parse(json.stdout).map((c: { Id: string }) => c.Id)).toEqual([id]);
      expect(as(DEV1, ['image', 'inspect', '--format', '{{.Config.User}}', `${REG}/busybox:1`]).stdout).toBe('1000\n');
      // A container's name, even the caller's own, is no image: image inspect never shows a container.
      const own = as(DEV1, ['image', 'inspect', name]);
      expect([own.status, own.stdout]).toEqual([1, '[]\n']);
      expect(own.stderr).toContain(`No such image: ${name}`);
      // docker's flags for each, not inspect's.
      for (const [args, message] of [
        [['image', 'inspect', '--type', 'image', `${REG}/busybox:1`], 'unknown flag: --type'],
        [['container', 'inspect', '--type', 'container', name], 'unknown flag: --type'],
        [['image', 'inspect', '-s', `${REG}/busybox:1`], "unknown shorthand flag: 's' in -s"],
        [['container', 'inspect'], "'docker container inspect' requires at least 1 argument"],
      ] as const) {
        const r = as(DEV1, args);
        expect({ args, status: r.status }).toEqual({ args, status: 2 });
        expect(r.stderr).toContain(message);
      }
      const help = as(DEV1, ['container', 'inspect', '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/cida-docker container inspect \[OPTIONS\] CONTAINER/);
      expect(help.stdout).toMatch(/-s, --size\s+allowed/);
      docker('rm', '-f', id);
    });

    it("every other management spelling of a supported verb works; one docker does not have gets docker's error", () => {
      const name = `mgmt-${process.pid}`;
      const id = runD(DEV1, ['--name', name, `${REG}/web:1`]);
      expect(as(DEV1, ['container', 'ls', '-q', '--no-trunc']).stdout).toContain(id);
      expect(as(DEV2, ['container', 'list', '-q', '--no-trunc']).stdout).not.toContain(id);
      expect(as(DEV1, ['container', 'ps', '-a', '-q', '--no-trunc']).stdout).toContain(id);
      expect(as(DEV1, ['container', 'port', name, '8080']).stdout).toMatch(/:\d+\n/);
      expect(as(DEV1, ['container', 'top', name]).status).toBe(0);
      expect(as(DEV1, ['container', 'logs', name]).status).toBe(0);
      expect(as(DEV2, ['container', 'logs', name]).stderr).toContain(`No such container: ${name}`);
      expect(as(DEV1, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).stdout).toContain(`${REG}/web:1`);
      expect(as(DEV1, ['image', 'list', '-q']).status).toBe(0);
      expect(as(DEV1, ['system', 'info', '--format', '{{.ServerVersion}}']).stdout).toBe(
        docker('info', '--format', '{{.ServerVersion}}').stdout,
      );
      const unknown = as(DEV1, ['image', 'logs', name]);
      expect([unknown.status, unknown.stderr]).toEqual([
        2,
        expect.stringContaining('docker: unknown command: docker image logs'),
      ]);
      const notOurs = as(DEV1, ['container', 'diff', name]);
      expect([notOurs.status, notOurs.stderr]).toEqual([77, expect.stringContaining('[supported-command]')]);
      expect(as(DEV1, ['check', '--', 'image', 'inspect', `${REG}/web:1`]).stdout).toMatch(/^allowed: /);
      // Through the `docker` shim, as a Makefile calls it.
      const dir = `/home/${DEV1}/cida-e2e-mgmt-shim`;
      expect(as(DEV1, ['shim', 'install', '--dir', dir]).status).toBe(0);
      const viaShim = asUser(DEV1, `PATH=${dir}:$PATH docker container inspect --format '{{.Id}}' ${name}`);
      expect([viaShim.status, viaShim.stdout]).toEqual([0, `${id}\n`]);
      sh(`rm -rf ${dir}`);
      expect(as(DEV1, ['container', 'rm', '-f', name]).stdout).toBe(`${name}\n`);
      expect(docker('inspect', id).status).not.toBe(0);
    });
  });

  it('every container the suite created is hardened', () => {
    const ids = new Set([...suiteContainers(), ...[...seen].filter((id) => docker('inspect', id).status === 0)]);
    expect(ids.size).toBeGreaterThan(5);
    for (const id of ids) expect({ id, problems: hardeningProblems(inspect(id)) }).toEqual({ id, problems: [] });
  });
});
