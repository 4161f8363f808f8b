import { describe, expect, it } from 'vitest';
import { firstTarFile, uidOfUserSpec, uidsFromStatus } from './passwd.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';

function tarOf(name: string, content: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write(content.length.toString(8).padStart(11, '0'), 124, 'latin1');
  h.write(type, 156, 'latin1');
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content, 'latin1');
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

describe('container users', () => {
  it('reads numeric users without passwd, names from passwd', () => {
    expect(uidOfUserSpec('', null)).toEqual({ kind: 'uid', uid: 0 });
    expect(uidOfUserSpec('1000:1000', null)).toEqual({ kind: 'uid', uid: 1000 });
    expect(uidOfUserSpec('0', null)).toEqual({ kind: 'uid', uid: 0 });
    expect(uidOfUserSpec('admin', PASSWD)).toEqual({ kind: 'uid', uid: 0 });
    expect(uidOfUserSpec('app:app', PASSWD)).toEqual({ kind: 'uid', uid: 1000 });
    expect(uidOfUserSpec('ghost', PASSWD).kind).toBe('unknown');
    expect(uidOfUserSpec('app', null).kind).toBe('unknown');
  });
  it('reads the first file of a tar stream (docker cp … -), and nothing else', () => {
    expect(firstTarFile(tarOf('passwd', PASSWD))?.toString()).toBe(PASSWD);
    expect(firstTarFile(tarOf('passwd', '', '2'))).toBeNull(); // a symlink
    expect(firstTarFile(Buffer.alloc(10))).toBeNull();
  });
  it('reads the uids of /proc/<pid>/status', () => {
    expect(uidsFromStatus('Name:\thttpd\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n')).toEqual([1000, 1000, 1000, 1000]);
    expect(uidsFromStatus('Uid:\t1000\t0\t1000\t1000\n')).toContain(0);
    expect(uidsFromStatus('nothing')).toBeNull();
  });
});
