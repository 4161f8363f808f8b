// `cida-docker setup` on the real host, after .ci/run's `cida-docker setup --user cida-dev1
// --user cida-dev2`: what it installed, that a second run changes nothing, and what it refuses.
// Nothing here changes the installation, so it can run beside the other e2e files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asUser, CLI, DEV1, DEV2, hostReady, q, sh } from './setup-helpers.js';

const BROKER = '/usr/local/lib/cida-docker/broker';
const BUNDLE = '/usr/local/lib/cida-docker/broker.mjs';
const SUDOERS = '/etc/sudoers.d/cida-docker';
const AUDIT = '/var/log/cida-docker/audit.jsonl';
const POLICY = '/etc/cida-docker/policy.json';
const SYSCTL = '/etc/sysctl.d/60-cida-docker.conf';

function owner(p: string): string {
  const st = fs.statSync(p);
  return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

/** What setup may change, to prove that a run changed none of it. */
function snapshot(): string {
  // The audit log's content (and mtime) is the broker's: only its owner, mode and inode are setup's.
  return [BROKER, BUNDLE, SUDOERS, AUDIT, POLICY, SYSCTL, path.dirname(BROKER), path.dirname(AUDIT)]
    .map((p) => `${p} ${owner(p)} ${fs.statSync(p).ino} ${p === AUDIT ? '' : fs.statSync(p).mtimeMs}`)
    .concat(sh('getent group cida-docker').stdout)
    .join('\n');
}

describe.runIf(hostReady())('setup (installed)', () => {
  it('installed the launcher sudo starts (root:root 0755) and the Node bundle beside it (root:root 0644), run by a root-owned node', () => {
    expect(owner(path.dirname(BROKER))).toBe('0:0 0755');
    expect(owner(BROKER)).toBe('0:0 0755');
    expect(owner(BUNDLE)).toBe('0:0 0644');
    const text = fs.readFileSync(BROKER, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/bin/sh');
    expect(text).toContain(`bundle='${BUNDLE}'`);
    expect(text).toContain('setsid "$node" "$bundle"');
    expect(sh(`dash -n ${BROKER}`).status).toBe(0);
    const node = /^node='([^']+)'$/m.exec(text)?.[1] ?? '';
    expect(fs.statSync(node).uid).toBe(0);
    expect(fs.statSync(node).mode & 0o022).toBe(0);
    // The installed bundle is the package's, byte for byte.
    const pkgBroker = path.join(path.dirname(fs.realpathSync(CLI)), '..', 'dist', 'broker.js');
    expect(fs.readFileSync(BUNDLE, 'utf8')).toBe(fs.readFileSync(pkgBroker, 'utf8'));
  });

  it('wrote a sudo rule naming the broker alone, with no arguments, that visudo accepts', () => {
    expect(owner(SUDOERS)).toBe('0:0 0440');
    const text = fs.readFileSync(SUDOERS, 'utf8');
    const rules = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(rules).toEqual([
      `Defaults!${BROKER} env_reset, env_keep = "CIDA_DOCKER_REQUEST"`,
      `%cida-docker ALL=(root) NOPASSWD: ${BROKER} ""`,
    ]);
    expect(sh(`visudo -cf ${SUDOERS}`).status).toBe(0);
    expect(sh('visudo -c').status).toBe(0);
    // No temporary file left behind in sudoers.d.
    expect(fs.readdirSync('/etc/sudoers.d').filter((f) => f.startsWith('.cida-docker'))).toEqual([]);
  });

  it('created the audit log root:root 0640 in a 0750 directory, unreadable by developers', () => {
    expect(owner(path.dirname(AUDIT))).toBe('0:0 0750');
    expect(owner(AUDIT)).toBe('0:0 0640');
    const r = asUser(DEV1, `cat ${AUDIT}`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Permission denied/);
    const attr = sh(`lsattr -d ${AUDIT}`);
    if (attr.status === 0) expect(attr.stdout.split(/\s/)[0]).toContain('a');
  });

  it('left a root-owned policy that parses, and set and persisted its port range', () => {
    expect(owner(POLICY)).toBe('0:0 0644');
    const policy = JSON.parse(fs.readFileSync(POLICY, 'utf8')) as { publishedPorts?: { min: number; max: number } };
    const want = policy.publishedPorts ?? { min: 49153, max: 65535 };
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)).toEqual([
      want.min,
      want.max,
    ]);
    expect(fs.readFileSync(SYSCTL, 'utf8')).toContain(`net.ipv4.ip_local_port_range = ${want.min} ${want.max}\n`);
  });

  it('put the --user developers in cida-docker and nobody in docker', () => {
    const members = sh('getent group cida-docker').stdout.trim().split(':')[3].split(',');
    expect(members).toEqual(expect.arrayContaining([DEV1, DEV2]));
    for (const u of [DEV1, DEV2]) expect(sh(`id -nG ${u}`).stdout.split(/\s+/)).not.toContain('docker');
  });

  it('changes nothing when run again with the same users', () => {
    const before = snapshot();
    const r = sh(`${CLI} setup --user ${DEV1} --user ${DEV2} </dev/null`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/nothing to change/);
    expect(r.stdout).not.toMatch(/done:/);
    expect(snapshot()).toBe(before);
  }, 60_000);

  it('--dry-run prints what it would do and changes nothing, even for a developer', () => {
    const before = snapshot();
    const root = sh(`${CLI} setup --dry-run --user ${DEV1} </dev/null`);
    expect(root.status).toBe(0);
    expect(root.stdout).toMatch(/nothing would change/);
    const dev = asUser(DEV1, `${CLI} setup --dry-run`);
    expect(dev.status).toBe(0);
    // A developer cannot read the sudo rule, so it shows as a change it would make.
    expect(dev.stdout).toMatch(/would write \/etc\/sudoers\.d\/cida-docker/);
    expect(snapshot()).toBe(before);
  }, 60_000);

  it('--userns-remap --dry-run names what it would change in the engine, and changes nothing', () => {
    const daemon = fs.existsSync('/etc/docker/daemon.json')
      ? fs.readFileSync('/etc/docker/daemon.json', 'utf8')
      : undefined;
    const before = snapshot();
    const r = sh(`${CLI} setup --userns-remap --dry-run </dev/null`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/would set "userns-remap": "default" in \/etc\/docker\/daemon\.json/);
    expect(r.stdout + r.stderr).toMatch(/dockremap/);
    expect(
      fs.existsSync('/etc/docker/daemon.json') ? fs.readFileSync('/etc/docker/daemon.json', 'utf8') : undefined,
    ).toBe(daemon);
    expect(snapshot()).toBe(before);
    expect(sh(`${CLI} setup --uninstall --userns-remap --dry-run </dev/null`).status).toBe(2);
  }, 60_000);

  it('refuses to run for real as a developer', () => {
    const r = asUser(DEV1, `${CLI} setup`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/must run as root/);
  }, 30_000);

  it('refuses an unknown --user before changing anything', () => {
    const before = snapshot();
    const r = sh(`${CLI} setup --user cida-no-such-user </dev/null`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no such user: cida-no-such-user/);
    expect(snapshot()).toBe(before);
  }, 30_000);

  it('refuses to name a node that someone other than root could replace', () => {
    const dir = fs.mkdtempSync('/tmp/cida-e2e-node-');
    try {
      fs.copyFileSync(process.execPath, path.join(dir, 'node'));
      fs.chmodSync(path.join(dir, 'node'), 0o755);
      sh(`chown ${DEV1} ${q(dir)}`);
      const before = snapshot();
      const cliJs = fs.realpathSync(CLI);
      const r = sh(`${q(path.join(dir, 'node'))} ${q(cliJs)} setup </dev/null`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/root cannot trust/);
      expect(r.stderr).toContain(`${dir}: owned by ${DEV1}, not root`);
      expect(snapshot()).toBe(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
