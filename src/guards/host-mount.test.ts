import { describe, expect, it } from 'vitest';
import { readCsvRecord } from '../docker/values.js';
import { readLikeDocker } from './read-like-docker.js';
import { readMount } from './host-mount.js';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'host-mount';

describe("Go's encoding/csv, first record, as the rules read it (line breaks refused)", () => {
  it.each([
    ['a,b', ['a', 'b']],
    ['a', ['a']],
    ['"a,b",c', ['a,b', 'c']],
    ['"a""b"', ['a"b']],
    ['""', ['']],
    ['a,', ['a', '']],
    [',', ['', '']],
    ['"a",', ['a', '']],
    ['"a","b"', ['a', 'b']],
    [' a , b ', [' a ', ' b ']],
  ])('%j → %j', (value, fields) => {
    expect(readLikeDocker(value, readCsvRecord)).toEqual({ ok: true, value: fields });
  });

  it.each([[''], ['a"b'], ['"a'], ['"a"b'], ['a,"b'], [' "a"'], ['a\nb'], ['\na'], ['"a\nb"'], ['a\r']])(
    '%j is an error',
    (value) => {
      expect(readLikeDocker(value, readCsvRecord)).toHaveProperty('error');
    },
  );
});

describe('readMount: the type docker reads', () => {
  it.each([
    ['type=bind,src=/,dst=/h', 'bind'],
    ['TYPE=BIND,SRC=/,DST=/h', 'bind'],
    ['Type=Tmpfs,dst=/h', 'tmpfs'],
    ['dst=/data', 'volume'],
    ['type=tmpfs,dst=/h,type=bind,src=/', 'bind'],
    ['type=bind,type=tmpfs,dst=/h', 'tmpfs'],
    ['"type=bind","src=/","dst=/h"', 'bind'],
    ['"type=tmp""fs",dst=/h', 'tmp"fs'],
    ['type=tmpfs=x,dst=/h', 'tmpfs=x'],
    ['type=tmpfs ,dst=/h', 'tmpfs '],
  ])('%j is a %s mount', (value, type) => {
    const m = readMount(value);
    expect(m.ok && m.value.type).toBe(type);
  });

  // Read as a volume mount by the rule's former reader; docker (and now readMount) rejects it.
  it('" type=tmpfs,dst=/h" is no tmpfs: docker rejects the key " type"', () => {
    expect(readMount(' type=tmpfs,dst=/h')).toEqual({ ok: false, error: "unexpected key ' type' in ' type=tmpfs'" });
  });
});

describe('host-mount: refused by the table whatever the value', () => {
  const values: [string, string][] = [
    ['volume', '/:/host'],
    ['volume', '/var/run/docker.sock:/var/run/docker.sock'],
    ['volume', '/home/alice/project:/src:Z'],
    ['volume', './:/src'],
    ['volume', 'data:/data'],
    ['volume', '/data'],
    ['volumes-from', 'bob-db'],
    ['volumes-from', 'bob-db:ro'],
    ['volume-driver', 'local'],
    ['use-api-socket', 'true'],
    ['use-api-socket', 'false'],
  ];
  const cases = values.flatMap(([flag, value]) =>
    spellings('run', flag, value).map((t) => [['run', ...t, IMAGE]] as [string[]]),
  );
  it.each(cases)('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    [['run', '-dPv/:/host', IMAGE]],
    [['run', '-Pdv=/:/host', IMAGE]],
    [['run', '--rm', '-v', '/:/host', IMAGE]],
    [['run', '-v', '/tmp:/t', '-v', '/:/host', IMAGE]],
    [['run', '--read-only', '-v', '/:/host', IMAGE]],
    [['run', '-e', 'A=1', '-v', '/:/host', '--name', 'x', IMAGE]],
    [['container', 'run', '-v', '/:/host', IMAGE]],
    [['--', 'run', '-v', '/:/host', IMAGE]],
    [['run', '--use-api-socket', IMAGE]],
  ])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('says which flag and why', () => {
    const v = decide(['run', '-v', '/:/host', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(v?.message).toMatch(/^-v\/--volume is not allowed: .*bind mount/);
    expect(v?.fix).toContain('--tmpfs');
  });
});

describe('host-mount: --mount, read as docker reads it', () => {
  it.each([
    'type=bind,source=/,target=/host',
    'type=bind,src=/etc,dst=/x,readonly',
    'TYPE=BIND,SRC=/,DST=/host',
    'Type=Bind,Source=/,Target=/host',
    'type=tmpfs,dst=/host,type=bind,src=/',
    '"type=bind","src=/","dst=/host"',
    '"type=tmpfs","type=bind",src=/,dst=/host',
    'dst=/data',
    'target=/data,volume-driver=local',
    'type=volume,src=data,dst=/data',
    'type=volume,dst=/data,volume-nocopy',
    'type=image,src=registry.example.internal/other/secrets:1,dst=/x',
    'type=npipe,src=\\\\.\\pipe\\docker_engine,dst=\\\\.\\pipe\\docker_engine',
    'type=cluster,src=x,dst=/x',
    'type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock',
    // tmpfs, but with what a tmpfs cannot have, or spelled so docker does not read tmpfs
    'type=tmpfs,src=/,dst=/x',
    'type=tmpfs,source=/etc,dst=/x',
    'type=tmpfs,dst=/x,volume-driver=local',
    'type=tmpfs,dst=/x,bind-propagation=rshared',
    'type=tmpfs,dst=/x,frobnicate=1',
    'type=tmpfs,dst=/x,volume-nocopy',
    '"type=tmp""fs",dst=/x',
    'type=tmpfs ,dst=/x',
    ' type=tmpfs,dst=/x',
    'type=tmpfs,dst="/x"',
    '"type=tmpfs,dst=/x',
    'type=tmpfs,dst=/x\ntype=bind,src=/,dst=/h',
    '\ntype=bind,src=/,dst=/h',
    'type=tmpfs,dst=/x\r\n',
  ])('--mount %j is refused', (value) => {
    for (const t of spellings('run', 'mount', value)) {
      const v = verdict(['run', ...t, IMAGE]);
      if (v !== 'usage') expect(v, t.join(' ')).toContain(ID);
    }
  });

  it('refuses a bind next to an allowed tmpfs', () => {
    expect(verdict(['run', '--mount', 'type=tmpfs,dst=/a', '--mount', 'type=bind,src=/,dst=/h', IMAGE])).toContain(ID);
    expect(verdict(['run', '--mount', 'type=bind,src=/,dst=/h', '--mount', 'type=tmpfs,dst=/a', IMAGE])).toContain(ID);
  });

  it('says which value and why', () => {
    const v = decide(['run', '--mount', 'TYPE=BIND,SRC=/,DST=/host', IMAGE], TEST_POLICY).violations.find(
      (x) => x.rule === ID,
    );
    expect(v?.message).toContain('--mount "TYPE=BIND,SRC=/,DST=/host" is a "bind" mount: only type=tmpfs');
    const src = decide(['run', '--mount', 'type=tmpfs,src=/etc,dst=/x', IMAGE], TEST_POLICY).violations.find(
      (x) => x.rule === ID,
    );
    expect(src?.message).toContain('"src" is not allowed on a tmpfs mount');
  });

  it.each([
    'type=tmpfs,destination=/cache,tmpfs-size=67108864',
    'type=tmpfs,dst=/x',
    'type=tmpfs,target=/x,readonly',
    'type=tmpfs,target=/x,ro=true,tmpfs-mode=1770,tmpfs-size=64m',
    'TYPE=TMPFS,DST=/x',
    'Type=Tmpfs,Target=/x,Tmpfs-Size=1g',
    '"type=tmpfs","dst=/a,b"',
    'type=bind,type=tmpfs,dst=/x',
    'type=tmpfs,dst=/x,consistency=default',
  ])('--mount %j (a tmpfs) is allowed', (value) => {
    for (const t of spellings('run', 'mount', value)) expect(verdict(['run', ...t, IMAGE]), t.join(' ')).toEqual([]);
  });

  it('allows two tmpfs mounts', () => {
    expect(verdict(['run', '--mount', 'type=tmpfs,dst=/a', '--mount=type=tmpfs,dst=/b', IMAGE])).toEqual([]);
  });
});

describe('host-mount: allowed', () => {
  it.each([
    [['run', '--tmpfs', '/run:rw,noexec,nosuid,size=64m', IMAGE]],
    [['run', '--tmpfs=/tmp', '--tmpfs', '/cache', IMAGE]],
    [['run', '--read-only', '--tmpfs', '/tmp', IMAGE]],
    [['run', '-e', 'SEARCH_PATH=/:/host', IMAGE]],
    // After the image, everything is the container's command.
    [['run', IMAGE, '-v', '/:/host']],
    [['run', IMAGE, '--mount', 'type=bind,src=/,dst=/h']],
    [['run', '--rm', IMAGE, 'sh', '-c', 'ls -v /']],
    [['exec', 'web', 'mount', '-v']],
    // rm -v removes a container's anonymous volumes; it mounts nothing.
    [['rm', '-v', 'web']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});
