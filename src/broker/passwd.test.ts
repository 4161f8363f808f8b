import { describe, expect, it } from 'vitest';
import { firstTarFile, idsFromStatus, rootInProc, tarHeader, writableBy } from './passwd.js';

const PASSWD = 'root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n';

function tarOf(name: string, content: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write(content.length.toString(8).padStart(11, '0'), 124, 'latin1');
  h.write(type, 156, 'latin1');
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content, 'latin1');
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

describe('reading what the engine hands back', () => {
  it('reads the first file of a tar stream (docker cp … -), and marks anything else', () => {
    expect(firstTarFile(tarOf('passwd', PASSWD))?.content.toString()).toBe(PASSWD);
    expect(firstTarFile(tarOf('passwd', '', '2'))?.type).toBe('other'); // a symlink
    expect(firstTarFile(Buffer.alloc(10))).toBeNull();
    expect(firstTarFile(tarOf('passwd', PASSWD).subarray(0, 530))).toBeNull(); // cut short
  });
  it('reads Uid, Gid and Groups of /proc/<pid>/status', () => {
    const s = 'Name:\thttpd\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t50 1000 \n';
    expect(idsFromStatus(s)).toEqual({
      uids: [1000, 1000, 1000, 1000],
      gids: [1000, 1000, 1000, 1000],
      groups: [50, 1000],
    });
    expect(rootInProc(idsFromStatus(s)!)).toBeNull();
    expect(rootInProc(idsFromStatus(s.replace('Gid:\t1000\t1000', 'Gid:\t1000\t0'))!)).toMatch(/gid 0/);
    expect(rootInProc(idsFromStatus(s.replace('50 1000', '50 0'))!)).toMatch(/supplementary/);
    expect(idsFromStatus('Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\t\n')?.groups).toEqual([]);
    expect(idsFromStatus('nothing')).toBeNull();
  });
});

describe('who can rewrite the account files (for restart policies)', () => {
  const header = (type: string, mode: number, uid: number, gid: number): Buffer => {
    const h = Buffer.alloc(512);
    h.write('etc/', 0, 'latin1');
    h.write(mode.toString(8).padStart(7, '0'), 100, 'latin1');
    h.write(uid.toString(8).padStart(7, '0'), 108, 'latin1');
    h.write(gid.toString(8).padStart(7, '0'), 116, 'latin1');
    h.write(type, 156, 'latin1');
    return h;
  };
  const app = { uid: 1000, gid: 1000, groups: [50] };
  it('reads mode, owner and type from the first tar header', () => {
    expect(tarHeader(header('5', 0o40755, 0, 0))).toEqual({ name: 'etc/', type: '5', mode: 0o40755, uid: 0, gid: 0 });
    expect(tarHeader(Buffer.alloc(100))).toBeNull();
  });
  it('owner, group-writable for one of its groups, world-writable, or a symlink: writable', () => {
    expect(writableBy(tarHeader(header('0', 0o644, 0, 0))!, app)).toBe(false);
    expect(writableBy(tarHeader(header('0', 0o444, 1000, 0))!, app)).toBe(true); // owner can chmod
    expect(writableBy(tarHeader(header('0', 0o664, 0, 50))!, app)).toBe(true);
    expect(writableBy(tarHeader(header('0', 0o664, 0, 7))!, app)).toBe(false);
    expect(writableBy(tarHeader(header('5', 0o40777, 0, 0))!, app)).toBe(true);
    expect(writableBy(tarHeader(header('2', 0o777, 0, 0))!, app)).toBe(true);
  });
});
