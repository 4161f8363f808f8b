// The sudo boundary with real users: members of cida-docker may start the broker, with no
// arguments, and nothing else; the request variable reaches it and the caller's environment does
// not. The environment is checked with a probe installed under its own rule, written by the very
// function setup uses for the real one (so the real broker stays untouched for the other tests).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, CLI, DEV1, DEV2, DOCKER, hostReady, OUTSIDER, sh } from './setup-helpers.js';

const BROKER = '/usr/local/lib/cida-docker/broker';
const PROBE_DIR = '/usr/local/lib/cida-docker-e2e-probe';
const PROBE = `${PROBE_DIR}/broker`;
const PROBE_RULE = '/etc/sudoers.d/zz-cida-docker-e2e-probe';

describe.runIf(hostReady())('sudo boundary', () => {
  beforeAll(async () => {
    const facts = (await import(
      pathToFileURL(path.join(path.dirname(fs.realpathSync(CLI)), '..', 'dist', 'setup', 'facts.js')).href
    )) as {
      sudoersContent: (broker: string, group: string, env: string) => string;
    };
    fs.mkdirSync(PROBE_DIR, { mode: 0o755, recursive: true });
    fs.writeFileSync(
      PROBE,
      `#!${process.execPath}\nprocess.stdout.write(JSON.stringify({ uid: process.getuid(), argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }));\n`,
      { mode: 0o755 },
    );
    const tmp = `/etc/sudoers.d/.zz-probe.tmp`;
    fs.writeFileSync(tmp, facts.sudoersContent(PROBE, 'cida-docker', 'CIDA_DOCKER_REQUEST'), { mode: 0o440 });
    const v = sh(`visudo -cf ${tmp}`);
    if (v.status !== 0) throw new Error(`visudo refused the probe rule: ${v.stderr}`);
    fs.renameSync(tmp, PROBE_RULE);
  });
  afterAll(() => {
    fs.rmSync(PROBE_RULE, { force: true });
    fs.rmSync(PROBE_DIR, { recursive: true, force: true });
  });

  it('a member starts the broker as root with only CIDA_DOCKER_REQUEST from their environment', () => {
    const r = asUser(
      DEV1,
      `cd ~ && CIDA_DOCKER_REQUEST='{"argv":["ps"]}' NODE_OPTIONS='--require /tmp/evil.js' DOCKER_HOST=tcp://evil:2375 DOCKER_CONFIG=~/.docker ` +
        `LD_PRELOAD=/tmp/evil.so PATH=/tmp/evil:$PATH HOME=/tmp/evil sudo -n ${PROBE}`,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const seen = JSON.parse(r.stdout) as { uid: number; argv: string[]; cwd: string; env: Record<string, string> };
    expect(seen.uid).toBe(0);
    expect(seen.argv).toEqual([]);
    expect(seen.env.CIDA_DOCKER_REQUEST).toBe('{"argv":["ps"]}');
    for (const k of ['NODE_OPTIONS', 'DOCKER_HOST', 'DOCKER_CONFIG', 'LD_PRELOAD']) expect(seen.env[k]).toBeUndefined();
    expect(seen.env.HOME).toBe('/root');
    expect(seen.env.PATH).not.toContain('/tmp/evil');
    expect(seen.env.SUDO_USER).toBe(DEV1);
    expect(seen.env.SUDO_UID).toBe(sh(`id -u ${DEV1}`).stdout.trim());
    // sudo keeps the caller's working directory: the broker must change to / itself.
    expect(seen.cwd).toBe(`/home/${DEV1}`);
  });

  it('a large request travels intact', () => {
    const big = JSON.stringify({ argv: ['run', '-e', `X=${'y'.repeat(100_000)}`, 'img'] });
    fs.writeFileSync('/tmp/cida-e2e-big-request.json', big, { mode: 0o644 });
    try {
      const r = asUser(DEV2, `CIDA_DOCKER_REQUEST="$(cat /tmp/cida-e2e-big-request.json)" sudo -n ${PROBE}`);
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as { env: Record<string, string> }).env.CIDA_DOCKER_REQUEST).toBe(big);
    } finally {
      fs.rmSync('/tmp/cida-e2e-big-request.json', { force: true });
    }
  });

  it('the broker with arguments is refused: the request never travels on the command line', () => {
    for (const args of ['ps', 'run -v /:/host img', '""']) {
      const r = asUser(DEV1, `sudo -n ${BROKER} ${args}`);
      expect(r.status, args).toBe(1);
      expect(r.stderr).toMatch(/a password is required/);
    }
  });

  it('a member can run nothing else as root: not docker, not a shell', () => {
    for (const cmd of [
      `${DOCKER} ps`,
      '/usr/bin/docker ps',
      '/bin/sh -c id',
      '-u root /bin/true',
      `-E ${BROKER}`,
      `--preserve-env=NODE_OPTIONS ${BROKER}`,
    ]) {
      const r = asUser(DEV1, `NODE_OPTIONS=--version sudo -n ${cmd}`);
      expect(r.status, cmd).toBe(1);
      expect(r.stdout, cmd).toBe('');
    }
    const list = asUser(DEV1, 'sudo -n -l');
    expect(list.status).toBe(0);
    const commands = list.stdout
      .slice(list.stdout.indexOf('may run the following commands'))
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    expect(commands).toEqual(expect.arrayContaining([`(root) NOPASSWD: ${BROKER} ""`]));
    expect(commands.filter((c) => !c.includes(BROKER) && !c.includes(PROBE))).toEqual([]);
  });

  it('someone outside cida-docker cannot start the broker at all', () => {
    const r = asUser(OUTSIDER, `CIDA_DOCKER_REQUEST='{"argv":["ps"]}' sudo -n ${BROKER}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a password is required/);
    expect(asUser(OUTSIDER, `sudo -n -l ${BROKER}`).status).toBe(1);
  });

  it('developers cannot reach the engine directly', () => {
    const r = asUser(DEV1, `${DOCKER} ps`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/permission denied/i);
  });
});
