// `cida-docker doctor` on the set-up host, as a member, an outsider and root. Changes nothing
// shared: the one user it puts in the docker group is its own, created and removed here; the
// broker files it spoils to see doctor flag them are put back at once.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, CLI, DEV1, type DoctorJson, hostReady, OUTSIDER, sh, statusOf } from './setup-helpers.js';

const TEMP_USER = 'cida-e2e-dockergrp';
const BROKER = '/usr/local/lib/cida-docker/broker';
const BUNDLE = '/usr/local/lib/cida-docker/broker.mjs';

function parse(stdout: string): DoctorJson {
  return JSON.parse(stdout) as DoctorJson;
}

describe.runIf(hostReady())('doctor', () => {
  afterAll(() => {
    sh(`userdel -r ${TEMP_USER} 2>/dev/null || true`);
  });

  it('a member: all good, exit 0; what only root can see is skipped and says so', () => {
    const r = asUser(DEV1, `${CLI} doctor --json`);
    const report = parse(r.stdout);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.status).toBe(0);
    expect(report).toMatchObject({ ok: true, exitCode: 0, user: DEV1, asRoot: false });
    for (const id of [
      'broker',
      'broker-bundle',
      'sudoers',
      'caller',
      'policy',
      'docker-client',
      'docker-group',
      'port-range',
      'engine-port-range',
    ])
      expect(statusOf(report, id), id).toBe('ok');
    expect(statusOf(report, 'engine')).toBe('skip');
    expect(statusOf(report, 'userns')).toBe('skip');
    expect(statusOf(report, 'audit-log')).toBe('skip');
    expect(report.checks.find((c) => c.id === 'engine')?.detail).toMatch(/sudo cida-docker doctor/);
  });

  it('prints ✔ per check and a last line for people', () => {
    const r = asUser(DEV1, `${CLI} doctor`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^✔ broker installed: \/usr\/local\/lib\/cida-docker\/broker/m);
    expect(r.stdout).toMatch(/^✔ you may use the broker/m);
    expect(r.stdout).toMatch(/^– engine answers: skipped/m);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^all good/);
  });

  it('someone outside cida-docker: exit 69, and the fix names the setup command for them', () => {
    const r = asUser(OUTSIDER, `${CLI} doctor`);
    expect(r.status).toBe(69);
    expect(r.stdout).toMatch(
      /^✖ you may use the broker: sudo -n -l \/usr\/local\/lib\/cida-docker\/broker is refused/m,
    );
    expect(r.stdout).toContain(`fix: ask an administrator: sudo cida-docker setup --user ${OUTSIDER}`);
    const j = parse(asUser(OUTSIDER, `${CLI} doctor --json`).stdout);
    expect(j.exitCode).toBe(69);
    expect(statusOf(j, 'broker')).toBe('ok');
  });

  it('root checks everything, including the engine, the sudoers content and the audit log', () => {
    const r = sh(`${CLI} doctor --json --user ${DEV1}`);
    const report = parse(r.stdout);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.status).toBe(0);
    expect(report).toMatchObject({ asRoot: true, user: DEV1 });
    for (const id of [
      'broker',
      'broker-bundle',
      'sudoers',
      'caller',
      'engine',
      'docker-client',
      'docker-group',
      'port-range',
      'engine-port-range',
      'audit-log',
    ])
      expect(statusOf(report, id), id).toBe('ok');
    // The shared test engine does not remap (it would hide every test image): reported, with how to opt in.
    expect(report.checks.find((c) => c.id === 'userns')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^no: .*setup --userns-remap/),
    });
    expect(report.checks.find((c) => c.id === 'sudoers')?.detail).toMatch(/valid \(visudo -cf\), names only/);
    expect(report.checks.find((c) => c.id === 'engine')?.detail).toMatch(/^dockerd /);
  });

  it('flags an old single-file Node broker, a launcher not as setup writes it, and a bundle others may write', () => {
    const launcher = fs.readFileSync(BROKER);
    const check = (id: string): { status: string; detail: string; fix?: string } => {
      const c = parse(sh(`${CLI} doctor --json --user ${DEV1}`).stdout).checks.find((x) => x.id === id);
      return c as { status: string; detail: string; fix?: string };
    };
    try {
      fs.writeFileSync(BROKER, `#!${process.execPath}\nimport 'node:fs';\n`);
      expect(check('broker')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/single-file Node broker.*SIGUSR1/),
        fix: expect.stringMatching(/sudo cida-docker setup/),
      });
      fs.writeFileSync(BROKER, Buffer.concat([launcher, Buffer.from('echo extra\n')]));
      expect(check('broker')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/not the launcher this cida-docker writes/),
      });
      fs.writeFileSync(BROKER, launcher);
      fs.chmodSync(BUNDLE, 0o666);
      expect(check('broker-bundle')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/should be root:root 0644/),
      });
    } finally {
      fs.writeFileSync(BROKER, launcher);
      fs.chmodSync(BROKER, 0o755);
      fs.chmodSync(BUNDLE, 0o644);
    }
    expect(check('broker').status).toBe('ok');
    expect(check('broker-bundle').status).toBe('ok');
  }, 60_000);

  it('a member of the docker group is flagged: that is root on the host (exit 1)', () => {
    sh(`useradd -m -s /bin/bash ${TEMP_USER} && usermod -a -G docker,cida-docker ${TEMP_USER}`);
    const r = asUser(TEMP_USER, `${CLI} doctor --json`);
    const report = parse(r.stdout);
    expect(statusOf(report, 'docker-group')).toBe('fail');
    expect(report.checks.find((c) => c.id === 'docker-group')?.fix).toMatch(/gpasswd -d cida-e2e-dockergrp docker/);
    expect(statusOf(report, 'caller')).toBe('ok');
    expect(r.status).toBe(1);
  });
});
