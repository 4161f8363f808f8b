import { describe, expect, it } from 'vitest';
import { additionalGroups, firstTarFile, idsFromStatus, resolveUserSpec, rootInProc, rootPart } from './passwd.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'admin:x:0:0::/:/bin/sh',
  'app:x:1000:1000::/home/app:/bin/sh',
  'rooty:x:1001:0::/:/bin/sh', // a non-root uid whose primary group is root
  'broken:x:1002:notanumber::/:/bin/sh', // the engine reads a bad gid as 0
  '',
].join('\n');
const GROUP = ['root:x:0:', 'app:x:1000:', 'wheel:x:0:app2', '1000:x:0:', 'staff:x:50:app', 'app2:x:1003:'].join('\n');

function tarOf(name: string, content: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write(content.length.toString(8).padStart(11, '0'), 124, 'latin1');
  h.write(type, 156, 'latin1');
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content, 'latin1');
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

const ok = (uid: number, gid: number, groups: number[] = []) => ({ kind: 'ok', id: { uid, gid, groups } });

describe('user specs resolve as the engine resolves them (moby/sys/user GetExecUser)', () => {
  it('an empty user is root; a name is looked up; a number is a uid', () => {
    expect(resolveUserSpec('', PASSWD, GROUP)).toEqual(ok(0, 0));
    expect(resolveUserSpec('admin', PASSWD, GROUP)).toEqual(ok(0, 0));
    expect(resolveUserSpec('app', PASSWD, GROUP)).toEqual(ok(1000, 1000, [50]));
    expect(resolveUserSpec('1000', PASSWD, GROUP)).toEqual(ok(1000, 1000, [50]));
    expect(resolveUserSpec('ghost', PASSWD, GROUP)).toMatchObject({ kind: 'error', why: expect.stringContaining('no user "ghost"') });
  });
  it('a numeric uid whose passwd entry has gid 0, or that has no entry at all, is in group root', () => {
    expect(resolveUserSpec('1001', PASSWD, GROUP)).toEqual(ok(1001, 0));
    expect(resolveUserSpec('4242', PASSWD, GROUP)).toEqual(ok(4242, 0));
    expect(resolveUserSpec('1002', PASSWD, GROUP)).toEqual(ok(1002, 0));
    expect(resolveUserSpec('4242', null, null)).toEqual(ok(4242, 0));
  });
  it('an explicit group wins and adds no supplementary groups; by number it is a gid, not a name', () => {
    expect(resolveUserSpec('1001:1000', PASSWD, GROUP)).toEqual(ok(1001, 1000));
    expect(resolveUserSpec('app:staff', PASSWD, GROUP)).toEqual(ok(1000, 50));
    expect(resolveUserSpec('app:0', PASSWD, GROUP)).toEqual(ok(1000, 0));
    expect(resolveUserSpec('app:nogroup', PASSWD, GROUP).kind).toBe('error');
    expect(resolveUserSpec('4242:4242', PASSWD, GROUP)).toEqual(ok(4242, 4242));
  });
  it('without an /etc/group the group part is ignored, as the engine ignores it', () => {
    expect(resolveUserSpec('1001:1000', PASSWD, null)).toEqual(ok(1001, 0));
    expect(resolveUserSpec('app:1000', PASSWD, null)).toEqual(ok(1000, 1000));
  });
  it('supplementary groups come from the member lists (wheel lists app2: gid 0)', () => {
    const p = `${PASSWD}\napp2:x:1003:1003::/:/bin/sh`;
    expect(resolveUserSpec('app2', p, GROUP)).toEqual(ok(1003, 1003, [0]));
  });
  it('root in any part is named', () => {
    expect(rootPart({ uid: 0, gid: 5, groups: [] })).toBe('uid 0');
    expect(rootPart({ uid: 5, gid: 0, groups: [] })).toMatch(/gid 0/);
    expect(rootPart({ uid: 5, gid: 5, groups: [7, 0] })).toMatch(/supplementary group 0/);
    expect(rootPart({ uid: 5, gid: 5, groups: [7] })).toBeNull();
  });
});

describe('reading what the engine hands back', () => {
  it('reads the first file of a tar stream (docker cp … -), and marks anything else', () => {
    expect(firstTarFile(tarOf('passwd', PASSWD))?.content.toString()).toBe(PASSWD);
    expect(firstTarFile(tarOf('passwd', '', '2'))?.type).toBe('other'); // a symlink
    expect(firstTarFile(Buffer.alloc(10))).toBeNull();
    expect(firstTarFile(tarOf('passwd', PASSWD).subarray(0, 600))).toBeNull(); // cut short
  });
  it('reads Uid, Gid and Groups of /proc/<pid>/status', () => {
    const s = 'Name:\thttpd\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t50 1000 \n';
    expect(idsFromStatus(s)).toEqual({ uids: [1000, 1000, 1000, 1000], gids: [1000, 1000, 1000, 1000], groups: [50, 1000] });
    expect(rootInProc(idsFromStatus(s)!)).toBeNull();
    expect(rootInProc(idsFromStatus(s.replace('Gid:\t1000\t1000', 'Gid:\t1000\t0'))!)).toMatch(/gid 0/);
    expect(rootInProc(idsFromStatus(s.replace('50 1000', '50 0'))!)).toMatch(/supplementary/);
    expect(idsFromStatus('Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\t\n')?.groups).toEqual([]);
    expect(idsFromStatus('nothing')).toBeNull();
  });
});

describe('--group-add entries resolve as the engine resolves them (GetAdditionalGroups)', () => {
  it('a group *named* like the number wins: "1000" named with gid 0 is root', () => {
    expect(additionalGroups(['1000'], GROUP)).toEqual([1000, 0]);
    expect(additionalGroups(['50'], GROUP)).toEqual([50]);
    expect(additionalGroups(['4242'], GROUP)).toEqual([4242]);
    expect(additionalGroups(['staff'], GROUP)).toEqual([50]);
    expect(additionalGroups(['nosuch'], GROUP)).toMatch(/no group "nosuch"/);
    expect(additionalGroups(['4242'], null)).toEqual([4242]);
  });
});
