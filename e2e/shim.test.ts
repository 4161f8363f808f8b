// The `docker` shim as a developer uses it: from a Makefile and a non-interactive shell, which
// never see aliases; it never replaces a docker that isn't ours, least of all the broker's client.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asUser, CLI, DEV2, DOCKER, hostReady, sh } from './setup-helpers.js';

const HOME = `/home/${DEV2}`;
const DIR = `${HOME}/cida-e2e-shim`;

function sha(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

describe.runIf(hostReady())('docker shim', () => {
  it('installs as a developer, and docker … runs cida-docker from a Makefile', () => {
    asUser(DEV2, `rm -rf ${DIR}`);
    const r = asUser(DEV2, `${CLI} shim install --dir ${DIR}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${DIR}/docker`);
    const text = fs.readFileSync(`${DIR}/docker`, 'utf8');
    expect(text).toContain(`exec '${CLI}' "$@"`);
    expect(fs.statSync(`${DIR}/docker`).mode & 0o777).toBe(0o755);

    // A Makefile: /bin/sh, no aliases; `docker` comes from PATH.
    asUser(
      DEV2,
      `mkdir -p ${DIR}/proj && printf 'check:\\n\\tdocker check --json -- run -v /:/host registry.example.internal:5000/base/busybox:1\\nps:\\n\\tdocker ps -q\\n' > ${DIR}/proj/Makefile`,
    );
    const check = asUser(DEV2, `cd ${DIR}/proj && PATH=${DIR}:$PATH make -s check`);
    expect(check.stdout).toMatch(/"allowed":false/);
    expect(check.status).not.toBe(0); // refused (77) → make fails
    const ps = asUser(DEV2, `cd ${DIR}/proj && PATH=${DIR}:$PATH make -s ps`);
    expect(ps.stderr).not.toMatch(/permission denied/i);
    expect(ps.status).toBe(0);
  });

  it("docker's global flags before the command reach the docker parser: allowed ones run, engine-choosing ones are refused", () => {
    const ps = asUser(DEV2, `PATH=${DIR}:$PATH docker --log-level error ps -a`);
    expect({ status: ps.status, stderr: ps.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ps.stdout).toMatch(/^CONTAINER ID\s+IMAGE/);
    const debug = asUser(DEV2, `PATH=${DIR}:$PATH docker -D ps -q`);
    expect(debug.status).toBe(0);
    const other = asUser(DEV2, `PATH=${DIR}:$PATH docker -H tcp://127.0.0.1:2375 ps`);
    expect(other.status).toBe(77);
    expect(other.stderr).toContain('[engine-override]');
    const unknown = asUser(DEV2, `PATH=${DIR}:$PATH docker --no-such-flag ps`);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown flag: --no-such-flag');
  });

  it('installing again is a no-op; uninstall removes only the shim', () => {
    const again = asUser(DEV2, `${CLI} shim install --dir ${DIR}`);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/already the shim/);
    const un = asUser(DEV2, `${CLI} shim uninstall --dir ${DIR}`);
    expect(un.status).toBe(0);
    expect(fs.existsSync(`${DIR}/docker`)).toBe(false);
  });

  it("refuses to overwrite a docker that isn't a shim unless --force", () => {
    asUser(DEV2, `printf '#!/bin/sh\\necho mine\\n' > ${DIR}/docker && chmod 755 ${DIR}/docker`);
    const r = asUser(DEV2, `${CLI} shim install --dir ${DIR}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a cida-docker shim; refusing to overwrite it/);
    expect(fs.readFileSync(`${DIR}/docker`, 'utf8')).toContain('echo mine');
    expect(asUser(DEV2, `${CLI} shim uninstall --dir ${DIR}`).status).toBe(1);
    expect(asUser(DEV2, `${CLI} shim install --dir ${DIR} --force`).status).toBe(0);
    expect(fs.readFileSync(`${DIR}/docker`, 'utf8')).toContain('cida-docker shim');
    asUser(DEV2, `rm -rf ${DIR}`);
  });

  it('as root, never replaces the docker client the broker runs, even with --force', () => {
    const before = sha(DOCKER);
    for (const flags of ['', '--force', '--dir /usr/local/bin --force']) {
      const r = sh(`${CLI} shim install ${flags} </dev/null`);
      expect(r.status, flags).toBe(1);
      expect(r.stderr).toMatch(/real docker client that the broker runs/);
    }
    expect(sha(DOCKER)).toBe(before);
    expect(sh(`${DOCKER} --version`).stdout).toMatch(/^Docker version 28\.2\.2/);
  });
});
