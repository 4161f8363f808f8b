// The limits every allowed `run` carries when the developer gave none: read back from the final
// argv with the same parser docker's CLI is compared against (test/differential).
import { describe, expect, it } from 'vitest';
import { lastValue } from '../docker/model.js';
import { parseDockerArgv } from '../docker/parse.js';
import { parseMount } from '../docker/values.js';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY } from './test-helpers.js';

const GIB = String(1024 ** 3);
const final = (argv: string[], policy = TEST_POLICY) => {
  const d = decide(argv, policy, { user: 'dev1', uid: 1001 });
  expect(d.violations).toEqual([]);
  return parseDockerArgv(d.argv).flags;
};

describe('forced limits', () => {
  it('a bare run gets memory, no swap, pids, and log rotation on json-file', () => {
    const f = final(['run', IMAGE]);
    expect(f.memory).toEqual(['1g']);
    expect(f['memory-swap']).toEqual(['1g']);
    expect(f['pids-limit']).toEqual(['512']);
    expect(f['log-driver']).toEqual(['json-file']);
    expect(f['log-opt']).toEqual(['max-size=20m', 'max-file=5']);
  });

  it("the developer's own limits within the ceiling are kept", () => {
    const f = final([
      'run',
      '-m',
      '2g',
      '--memory-swap',
      '3g',
      '--pids-limit',
      '100',
      '--log-driver',
      'local',
      '--log-opt',
      'max-size=5m',
      '--log-opt',
      'max-file=2',
      IMAGE,
    ]);
    expect(f.memory).toEqual(['2g']);
    expect(f['memory-swap']).toEqual(['3g']);
    expect(f['pids-limit']).toEqual(['100']);
    expect(f['log-driver']).toEqual(['local']);
    expect(f['log-opt']).toEqual(['max-size=5m', 'max-file=2']);
  });

  it('-m without --memory-swap (or with 0, docker\'s "twice the memory") gets no swap', () => {
    expect(final(['run', '-m', '512m', IMAGE])['memory-swap']).toEqual(['512m']);
    expect(final(['run', '-m', '512m', '--memory-swap', '0', IMAGE])['memory-swap']).toEqual(['512m']);
    expect(final(['run', '--memory-swap', '0b', IMAGE])['memory-swap']).toEqual(['1g']);
  });

  it('only the missing log option is added; an empty --log-driver (the daemon default) becomes json-file', () => {
    expect(final(['run', '--log-opt', 'max-file=2', IMAGE])['log-opt']).toEqual(['max-file=2', 'max-size=20m']);
    expect(final(['run', '--log-opt', 'max-size=1m', '--log-opt', 'compress=true', IMAGE])['log-opt']).toEqual([
      'max-size=1m',
      'compress=true',
      'max-file=5',
    ]);
    expect(final(['run', '--log-driver', '', IMAGE])['log-driver']).toEqual(['json-file']);
  });

  it('a --tmpfs without a size gets the ceiling; one with a size keeps it', () => {
    expect(
      final([
        'run',
        '--tmpfs',
        '/a',
        '--tmpfs',
        '/b:',
        '--tmpfs',
        '/c:mode=1777',
        '--tmpfs',
        '/d:size=64m',
        '--tmpfs',
        '/e:SIZE=1m',
        IMAGE,
      ]).tmpfs,
    ).toEqual([
      `/a:size=${GIB}`,
      `/b:size=${GIB}`,
      `/c:mode=1777,size=${GIB}`,
      '/d:size=64m',
      `/e:SIZE=1m,size=${GIB}`,
    ]);
  });

  it('a --mount type=tmpfs without a size (or tmpfs-size=0, "none" to docker) gets the ceiling, as docker reads the result', () => {
    const mounts =
      final([
        'run',
        '--mount',
        'type=tmpfs,dst=/a',
        '--mount',
        '"type=tmpfs","dst=/b",TMPFS-SIZE=0',
        '--mount',
        'type=tmpfs,dst=/c,tmpfs-size=64m',
        IMAGE,
      ]).mount ?? [];
    const sizes = mounts.map(
      (m) =>
        parseMount(m)
          .fields.filter((x) => x.key === 'tmpfs-size')
          .at(-1)?.value,
    );
    expect(sizes).toEqual([GIB, GIB, '64m']);
  });

  it('follows the policy', () => {
    const policy = {
      ...TEST_POLICY,
      run: { ...TEST_POLICY.run, memory: '256m', pidsLimit: 64, maxTmpfsSize: '128m', logMaxSize: '1m', logMaxFile: 2 },
    };
    const f = final(['run', '--tmpfs', '/t', IMAGE], policy);
    expect([lastValue(f, 'memory'), lastValue(f, 'memory-swap'), lastValue(f, 'pids-limit')]).toEqual([
      '256m',
      '256m',
      '64',
    ]);
    expect(f.tmpfs).toEqual([`/t:size=${128 * 1024 * 1024}`]);
    expect(f['log-opt']).toEqual(['max-size=1m', 'max-file=2']);
  });

  it('other commands are untouched', () => {
    const d = decide(['ps', '-a'], TEST_POLICY);
    expect(d.argv).toEqual(['ps', '--all']);
  });
});
