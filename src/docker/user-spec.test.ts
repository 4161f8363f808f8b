import { describe, expect, it } from 'vitest';
import { additionalGroups, resolveUserSpec, rootInSpec, rootPart } from './user-spec.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'admin:x:0:0::/:/bin/sh',
  'app:x:1000:1000::/home/app:/bin/sh',
  'rooty:x:1001:0::/:/bin/sh', // a non-root uid whose primary group is root
  'broken:x:1002:notanumber::/:/bin/sh', // the engine reads a bad gid as 0
  '',
].join('\n');
const GROUP = ['root:x:0:', 'app:x:1000:', 'wheel:x:0:app2', 'staff:x:50:app', 'app2:x:1003:'].join('\n');
/** The same, plus a group *named* "1000" with gid 0 (the red team's image). */
const GROUP_NAMED_1000 = `${GROUP}\n1000:x:0:`;

const ok = (uid: number, gid: number, groups: number[] = []) => ({ kind: 'ok', id: { uid, gid, groups } });

describe('user specs resolve as the engine resolves them (moby/sys/user GetExecUser)', () => {
  it('an empty user is root; a name is looked up; a number is a uid', () => {
    expect(resolveUserSpec('', PASSWD, GROUP)).toEqual(ok(0, 0));
    expect(resolveUserSpec('admin', PASSWD, GROUP)).toEqual(ok(0, 0));
    expect(resolveUserSpec('app', PASSWD, GROUP)).toEqual(ok(1000, 1000, [50]));
    expect(resolveUserSpec('1000', PASSWD, GROUP)).toEqual(ok(1000, 1000, [50]));
    expect(resolveUserSpec('ghost', PASSWD, GROUP)).toMatchObject({
      kind: 'error',
      why: expect.stringContaining('no user "ghost"'),
    });
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
  it('without an /etc/group a numeric group stands and a named one is unknown (as the engine does)', () => {
    expect(resolveUserSpec('1001:1000', PASSWD, null)).toEqual(ok(1001, 1000));
    expect(resolveUserSpec('app:1000', PASSWD, null)).toEqual(ok(1000, 1000));
    expect(resolveUserSpec('app:staff', PASSWD, null).kind).toBe('error');
  });
  it('supplementary groups come from the member lists (wheel lists app2: gid 0)', () => {
    const p = `${PASSWD}\napp2:x:1003:1003::/:/bin/sh`;
    expect(resolveUserSpec('app2', p, GROUP)).toEqual(ok(1003, 1003, [0]));
  });
  it('root in any part is named', () => {
    expect(rootPart({ uid: 0, gid: 5, groups: [] })).toBe('uid 0 (root)');
    expect(rootPart({ uid: 5, gid: 0, groups: [] })).toMatch(/gid 0/);
    expect(rootPart({ uid: 5, gid: 5, groups: [7, 0] })).toMatch(/supplementary group 0/);
    expect(rootPart({ uid: 5, gid: 5, groups: [7] })).toBeNull();
  });
});

describe('--group-add entries resolve as the engine resolves them (GetAdditionalGroups)', () => {
  it('a group *named* like the number wins: "1000" named with gid 0 is root', () => {
    expect(additionalGroups(['1000'], GROUP_NAMED_1000)).toEqual([1000, 0]);
    expect(additionalGroups(['50'], GROUP)).toEqual([50]);
    expect(additionalGroups(['4242'], GROUP)).toEqual([4242]);
    expect(additionalGroups(['staff'], GROUP)).toEqual([50]);
    expect(additionalGroups(['nosuch'], GROUP)).toMatch(/no group "nosuch"/);
    expect(additionalGroups(['4242'], null)).toEqual([4242]);
  });
});

describe('runc looks the pinned numeric groups up again by name', () => {
  it('a group named "1000" with gid 0 puts group 0 into a pinned 1000:1000, and into app', () => {
    expect(resolveUserSpec('1000:1000', PASSWD, GROUP_NAMED_1000)).toEqual(ok(1000, 1000, [0]));
    const app = resolveUserSpec('app', PASSWD, GROUP_NAMED_1000);
    expect(app.kind === 'ok' && rootPart(app.id)).toMatch(/supplementary group 0/);
    expect(resolveUserSpec('1000:1000', PASSWD, GROUP)).toEqual(ok(1000, 1000));
  });
});

describe('what a spec says about root by itself (the run rule and the Dockerfile rule)', () => {
  it('uid 0, gid 0, root by name, an empty user part, privileged groups', () => {
    const why = (spec: string): string[] => rootInSpec(spec).map((f) => `${f.part}: ${f.why}`);
    expect(why('0')).toEqual(['user: user id 0 is uid 0 (root)']);
    expect(why('10001:0')).toEqual(['group: group id 0 is gid 0 (group root)']);
    expect(why('root')).toEqual(['user: user root is uid 0 (root) by name']);
    expect(why(':1000')[0]).toMatch(/empty user part means uid 0/);
    expect(why('1000:docker')).toEqual(['group: group docker is a privileged group']);
    expect(why('0x0')[0]).toMatch(/not a decimal user id/);
    expect(why('app')).toEqual([]);
    expect(why('10001:10001')).toEqual([]);
    expect(why('')).toEqual([]); // the image's own USER: judged against the image
  });
});
