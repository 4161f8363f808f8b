import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installShim, isOurShim, shimContent, uninstallShim } from './shim.js';

let dir: string;
let out: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-shim-'));
  out = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('docker shim', () => {
  it('execs the cida-docker it came from with all arguments, quoted for sh', () => {
    expect(shimContent("/opt/it's/cida-docker")).toContain(`exec '/opt/it'\\''s/cida-docker' "$@"\n`);
  });

  it('is written executable, is recognised as ours, and is idempotent', () => {
    const target = path.join(dir, 'cida-docker');
    fs.writeFileSync(target, '#!/bin/sh\necho "cida:$*"\n', { mode: 0o755 });
    const bin = path.join(dir, 'bin');
    expect(installShim({ dir: bin, force: false, cidaDocker: target }, io)).toBe(0);
    const shim = path.join(bin, 'docker');
    expect(fs.statSync(shim).mode & 0o777).toBe(0o755);
    expect(isOurShim(shim)).toBe(true);
    expect(installShim({ dir: bin, force: false, cidaDocker: target }, io)).toBe(0);
    expect(out.join('\n')).toContain('already the shim');
  });

  it("refuses to overwrite a docker that isn't ours unless --force, and uninstall leaves it alone", () => {
    const target = path.join(dir, 'cida-docker');
    fs.writeFileSync(target, '', { mode: 0o755 });
    const other = path.join(dir, 'docker');
    fs.writeFileSync(other, '#!/bin/sh\necho real docker\n', { mode: 0o755 });
    expect(installShim({ dir, force: false, cidaDocker: target }, io)).toBe(1);
    expect(fs.readFileSync(other, 'utf8')).toContain('real docker');
    expect(uninstallShim({ dir, force: false }, io)).toBe(1);
    expect(fs.existsSync(other)).toBe(true);
    expect(installShim({ dir, force: true, cidaDocker: target }, io)).toBe(0);
    expect(isOurShim(other)).toBe(true);
    expect(uninstallShim({ dir, force: false }, io)).toBe(0);
    expect(fs.existsSync(other)).toBe(false);
  });
});
