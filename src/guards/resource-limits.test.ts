import { describe, expect, it } from 'vitest';
import { rule } from './resource-limits.js';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'resource-limits';
const refused = (argv: string[]): boolean => {
  const v = verdict(argv);
  return v === 'usage' || v.includes(ID);
};

describe('resource-limits: refused by the flag table', () => {
  it.each([
    ['--oom-kill-disable'],
    ['--oom-kill-disable=true'],
    ['--oom-kill-disable=false'],
    ['--oom-kill-disable=0'],
    ['--cpu-rt-runtime', '950000'],
    ['--cpu-rt-runtime=1'],
    ['--cpu-rt-period', '1000000'],
    ['--cgroup-parent', '/'],
    ['--cgroup-parent=system.slice'],
    ['--kernel-memory', '1g'],
  ])('run %s', (...flag) => {
    expect(verdict(['run', ...flag, IMAGE])).toEqual([ID]);
  });
  it('build --cgroup-parent', () => {
    expect(verdict(['build', '--cgroup-parent', 'system.slice', '.'])).toEqual([ID]);
  });
});

describe('resource-limits: --oom-score-adj below 0', () => {
  it.each([
    [['--oom-score-adj', '-1']],
    [['--oom-score-adj=-1000']],
    [['--oom-score-adj', '-0x10']],
    [['--oom-score-adj', '-0b1']],
    [['--oom-score-adj', '-1_000']],
    [['--oom-score-adj', '-0o17']],
    [['--oom-score-adj', '-010']],
    [['--oom-score-adj', '500', '--oom-score-adj', '-500']],
    [['-d', '--oom-score-adj=-1']],
  ])('%j refused', (flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([ID]);
  });
  it.each([
    [['--oom-score-adj', '0']],
    [['--oom-score-adj', '-0']],
    [['--oom-score-adj', '+500']],
    [['--oom-score-adj', '0x10']],
    [['--oom-score-adj', '1_000']],
    [['--oom-score-adj', '-5', '--oom-score-adj', '5']],
  ])('%j allowed', (flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([]);
  });
  it('after the image it is the container command', () => {
    expect(verdict(['run', IMAGE, '--oom-score-adj', '-1000'])).toEqual([]);
  });
  it('a value docker rejects is refused', () => {
    expect(refused(['run', '--oom-score-adj', '1e3', IMAGE])).toBe(true);
    expect(refused(['run', '--oom-score-adj', '--1', IMAGE])).toBe(true);
  });
});

describe('resource-limits: --pids-limit 0 or below', () => {
  it.each([['-1'], ['0'], ['-0'], ['00'], ['0x0'], ['0b0'], ['0o0'], ['0_0'], ['-0x1'], ['-9223372036854775808']])(
    '--pids-limit %s refused',
    (v) => {
      expect(verdict(['run', '--pids-limit', v, IMAGE])).toEqual([ID]);
      expect(verdict(['run', `--pids-limit=${v}`, IMAGE])).toEqual([ID]);
    },
  );
  it.each([['1'], ['256'], ['0x100'], ['1_0'], ['+5'], ['010']])('--pids-limit %s allowed', (v) => {
    expect(verdict(['run', '--pids-limit', v, IMAGE])).toEqual([]);
  });
  it('last occurrence wins', () => {
    expect(verdict(['run', '--pids-limit', '100', '--pids-limit', '-1', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--pids-limit', '-1', '--pids-limit', '100', IMAGE])).toEqual([]);
  });
  it('a value docker rejects is refused', () => {
    expect(refused(['run', '--pids-limit', '08', IMAGE])).toBe(true);
    expect(refused(['run', '--pids-limit', '1__0', IMAGE])).toBe(true);
    expect(refused(['run', '--pids-limit', '9223372036854775808', IMAGE])).toBe(true);
  });
});

describe('resource-limits: -m/--memory 0', () => {
  const zeros = [
    '0',
    '0b',
    '0B',
    '0k',
    '0m',
    '0g',
    '0KiB',
    '0 m',
    '-0',
    '0.5',
    '0.0009k',
    '1e-9',
    '0_0',
    '0x0p0',
    '.1',
  ];
  it.each(zeros)('run -m %s refused in every spelling', (v) => {
    for (const flags of [
      ['-m', v],
      [`-m${v}`],
      [`-m=${v}`],
      ['--memory', v],
      [`--memory=${v}`],
      ['-dm', v],
      ['-itm', v],
    ])
      expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
  });
  it.each(zeros)('build -m %s refused', (v) => {
    expect(verdict(['build', '-m', v, '.'])).toEqual([ID]);
    expect(verdict(['build', `--memory=${v}`, '.'])).toEqual([ID]);
  });
  it.each([['512m'], ['1g'], ['6MiB'], ['1_000m'], ['0.5g'], ['1e9'], ['0x1p30'], ['512 m']])('-m %s allowed', (v) => {
    expect(verdict(['run', '-m', v, IMAGE])).toEqual([]);
    expect(verdict(['build', '-m', v, '.'])).toEqual([]);
  });
  it('last occurrence wins', () => {
    expect(verdict(['run', '-m', '512m', '--memory', '0', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '-m', '0', '--memory', '512m', IMAGE])).toEqual([]);
  });
  it('too large to be an int64 is refused', () => {
    expect(verdict(['run', '-m', '9.3e18', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '-m', '100000000p', IMAGE])).toEqual([ID]);
  });
  it('values docker rejects are refused', () => {
    for (const v of ['0x10', '-1', 'lots', '1kk', '1.2.3', '512mb2'])
      expect(refused(['run', '-m', v, IMAGE]), v).toBe(true);
  });
  it('after the image it is the container command', () => {
    expect(verdict(['run', IMAGE, '-m', '0'])).toEqual([]);
  });
});

describe('resource-limits: --memory-swap -1', () => {
  it.each([['run'], ['build']])('%s --memory-swap -1 refused', (cmd) => {
    const ctx = cmd === 'run' ? [IMAGE] : ['.'];
    expect(verdict([cmd, '-m', '512m', '--memory-swap', '-1', ...ctx])).toEqual([ID]);
    expect(verdict([cmd, '-m', '512m', '--memory-swap=-1', ...ctx])).toEqual([ID]);
  });
  it('last occurrence wins', () => {
    expect(verdict(['run', '--memory-swap', '1g', '--memory-swap', '-1', '-m', '512m', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--memory-swap', '-1', '--memory-swap', '1g', '-m', '512m', IMAGE])).toEqual([]);
  });
  it('other negative spellings are not -1 to docker: it rejects them', () => {
    for (const v of ['-01', '-1b', '-1.0', '-2']) expect(refused(['run', '--memory-swap', v, IMAGE]), v).toBe(true);
  });
  it.each([['1g'], ['0'], ['1024m']])('--memory-swap %s allowed', (v) => {
    expect(verdict(['run', '-m', '512m', '--memory-swap', v, IMAGE])).toEqual([]);
  });
});

describe('resource-limits: --ulimit unlimited', () => {
  it.each([
    ['nofile=-1'],
    ['nproc=-1'],
    ['nproc=10:-1'],
    ['memlock=-1:-1'],
    ['nofile=-2'],
    ['nofile=-2:-2'],
    ['core=-01'],
    ['nproc=9223372036854775807'],
    ['stack=5:9223372036854775807'],
    ['rtprio=99'],
    ['rtprio=0:1'],
    ['nice=40'],
    ['nice=0:21'],
  ])('--ulimit %s refused (run and build)', (v) => {
    expect(verdict(['run', '--ulimit', v, IMAGE])).toEqual([ID]);
    expect(verdict(['run', `--ulimit=${v}`, IMAGE])).toEqual([ID]);
    expect(verdict(['build', '--ulimit', v, '.'])).toEqual([ID]);
  });
  it('any occurrence among several is refused (docker keeps the last per name; we refuse the request)', () => {
    expect(verdict(['run', '--ulimit', 'nofile=1024', '--ulimit', 'nproc=-1', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--ulimit', 'nproc=-1', '--ulimit', 'nproc=100', IMAGE])).toEqual([ID]);
  });
  it.each([
    ['nofile=1024'],
    ['nofile=1024:2048'],
    ['nproc=+100'],
    ['nofile=0'],
    ['nproc=-0'],
    ['rtprio=0'],
    ['nice=20'],
    ['rttime=1000'],
  ])('--ulimit %s allowed', (v) => {
    expect(verdict(['run', '--ulimit', v, IMAGE])).toEqual([]);
    expect(verdict(['build', '--ulimit', v, '.'])).toEqual([]);
  });
  it('values docker rejects are refused', () => {
    for (const v of [
      'nofile',
      'NOFILE=1',
      'as=1',
      'nofile=0x10',
      'nofile=1_0',
      'nofile=1:2:3',
      'nofile=-1:10',
      'nofile=20:10',
      'nofile=',
    ])
      expect(refused(['run', '--ulimit', v, IMAGE]), v).toBe(true);
  });
  it('names the flag and value in the message', () => {
    const d = decide(['run', '--ulimit', 'nproc=10:-1', IMAGE], TEST_POLICY);
    expect(d.violations[0]?.message).toMatch(/--ulimit nproc=10:-1: .*hard limit \(-1\) is unlimited/);
    expect(d.violations[0]?.fix).toBe(rule.fix);
  });
});

describe('resource-limits: allowed', () => {
  it.each([
    [['run', '-m', '512m', '--cpus', '1.5', '--pids-limit', '256', IMAGE]],
    [['run', '--memory-reservation', '0', '--shm-size', '256m', IMAGE]],
    [['run', IMAGE]],
    [['build', '-m', '1g', '--memory-swap', '2g', '--ulimit', 'nofile=1024', '.']],
    [['exec', 'web', 'sh', '-c', 'ulimit -n unlimited']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });
});

describe('resource-limits: ceilings from the policy', () => {
  const msgs = (argv: string[], policy = TEST_POLICY) =>
    decide(argv, policy)
      .violations.filter((v) => v.rule === ID)
      .map((v) => v.message);

  it("the issue's reproduction is refused, each limit named with its key", () => {
    expect(
      msgs(['run', '-d', '--pids-limit', '4194304', '--shm-size', '64g', '--tmpfs', '/big:size=64g', IMAGE]),
    ).toEqual([
      "--shm-size 64g is above this host's ceiling of 1g (policy run.maxShmSize)",
      "--pids-limit 4194304 is above this host's ceiling of 4096 (policy run.maxPidsLimit)",
      '--tmpfs "/big:size=64g": size=64g is above this host\'s ceiling of 1g (policy run.maxTmpfsSize)',
    ]);
  });

  it.each([['4097'], ['0x1001'], ['1_000_000'], ['+5000'], ['9223372036854775807']])(
    '--pids-limit %s above the ceiling',
    (v) => {
      expect(msgs(['run', '--pids-limit', v, IMAGE])).toEqual([
        `--pids-limit ${v} is above this host's ceiling of 4096 (policy run.maxPidsLimit)`,
      ]);
    },
  );
  it('--pids-limit up to the ceiling, and 0/-1 name the ceiling too', () => {
    expect(verdict(['run', '--pids-limit', '4096', IMAGE])).toEqual([]);
    expect(verdict(['run', '--pids-limit', '0x1000', IMAGE])).toEqual([]);
    expect(msgs(['run', '--pids-limit', '-1', IMAGE])[0]).toMatch(/no process limit .*4096, policy run.maxPidsLimit/);
  });

  it.each([['5g'], ['4097m'], ['4.1g'], ['4294967297'], ['1t'], ['4194305k'], ['4.0001GiB']])(
    '-m %s above 4g refused',
    (v) => {
      const r = verdict(['run', '-m', v, IMAGE]);
      if (r !== 'usage') expect(r).toEqual([ID]);
    },
  );
  it('-m above the ceiling names it; at the ceiling is fine', () => {
    expect(msgs(['run', '-m', '8g', IMAGE])).toEqual([
      "-m/--memory 8g is above this host's ceiling of 4g (policy run.maxMemory)",
    ]);
    expect(verdict(['run', '-m', '4g', IMAGE])).toEqual([]);
    expect(verdict(['run', '--memory=4096m', IMAGE])).toEqual([]);
    expect(verdict(['run', '-m', '4294967296', IMAGE])).toEqual([]);
  });
  it('build -m is held to the same ceiling', () => {
    expect(verdict(['build', '-m', '8g', '.'])).toEqual([ID]);
  });

  it('--memory-swap (memory plus swap) above the ceiling, -1 or below the memory limit is refused', () => {
    expect(msgs(['run', '-m', '1g', '--memory-swap', '5g', IMAGE])).toEqual([
      "--memory-swap 5g (memory plus swap) is above this host's ceiling of 4g (policy run.maxMemory)",
    ]);
    expect(msgs(['run', '-m', '1g', '--memory-swap', '-1', IMAGE])[0]).toMatch(
      /unlimited swap .*4g, policy run.maxMemory/,
    );
    expect(msgs(['run', '--memory-swap', '512m', IMAGE])[0]).toMatch(
      /below the memory limit \(the default 1g, policy run.memory\)/,
    );
    expect(msgs(['run', '-m', '2g', '--memory-swap', '1g', IMAGE])[0]).toMatch(/below the memory limit \(2g\)/);
    expect(verdict(['run', '--memory-swap', '4g', IMAGE])).toEqual([]);
    expect(verdict(['run', '-m', '2g', '--memory-swap', '2g', IMAGE])).toEqual([]);
  });

  it.each([['2g'], ['1025m'], ['1073741825'], ['64g']])('--shm-size %s above 1g refused', (v) => {
    expect(msgs(['run', '--shm-size', v, IMAGE])).toEqual([
      `--shm-size ${v} is above this host's ceiling of 1g (policy run.maxShmSize)`,
    ]);
    expect(verdict(['build', '--shm-size', v, '.'])).toEqual([ID]);
  });
  it.each([['1g'], ['64m'], ['0']])('--shm-size %s allowed', (v) => {
    expect(verdict(['run', '--shm-size', v, IMAGE])).toEqual([]);
  });
  it('--shm-size too large for int64 is refused', () => {
    expect(verdict(['run', '--shm-size', '1e30', IMAGE])).toEqual([ID]);
  });

  describe('--tmpfs PATH:size=…', () => {
    it.each([
      '/t:size=2g',
      '/t:size=1025m',
      '/t:rw,size=64m,size=2g',
      '/t:size=2g,mode=1777',
      '/t:size=1073741825',
      '/t:size=2G',
    ])('%s above the ceiling', (v) => {
      expect(msgs(['run', '--tmpfs', v, IMAGE])).toEqual([
        expect.stringMatching(/is above this host's ceiling of 1g \(policy run.maxTmpfsSize\)$/),
      ]);
    });
    it.each([
      ['/t:size=0', 'unlimited'],
      ['/t:size=50%', 'percentage'],
      ['/t:size=010m', 'octal'],
      ['/t:size=0x10000000', 'hex'],
      ['/t:size=1t', 'one suffix of k, m, g'],
      ['/t:size=', 'empty'],
      ['/t:size=1.5g', 'fraction'],
      ['/t:size= 1g', 'space'],
      ['/t:size=1gb', 'two letters'],
      ['/t:size=99999999999999999999', 'wraps'],
    ])('%s (%s) is refused: not read the way the kernel would', (v) => {
      expect(msgs(['run', '--tmpfs', v, IMAGE])[0]).toMatch(/is not a size cida-docker reads/);
    });
    it('nr_blocks (the size in pages) is refused', () => {
      expect(msgs(['run', '--tmpfs', '/t:size=64m,nr_blocks=100000000', IMAGE])[0]).toMatch(
        /nr_blocks .*policy run.maxTmpfsSize/,
      );
    });
    it.each([
      '/t',
      '/t:',
      '/t:size=1g',
      '/t:rw,noexec,size=64m',
      '/t:size=512k',
      '/t:mode=1777,nr_inodes=1000',
      '/t:SIZE=9g',
    ])('%s allowed', (v) => {
      expect(verdict(['run', '--tmpfs', v, IMAGE])).toEqual([]);
    });
    it('every --tmpfs is checked', () => {
      expect(msgs(['run', '--tmpfs', '/a:size=1m', '--tmpfs', '/b:size=9g', IMAGE])).toHaveLength(1);
    });
    it('follows the policy', () => {
      const policy = { ...TEST_POLICY, run: { ...TEST_POLICY.run, maxTmpfsSize: '16g' } };
      expect(verdict(['run', '--tmpfs', '/t:size=9g', IMAGE], policy)).toEqual([]);
    });
  });

  describe('--mount type=tmpfs,tmpfs-size=…', () => {
    it.each([
      'type=tmpfs,dst=/t,tmpfs-size=2g',
      'type=tmpfs,dst=/t,TMPFS-SIZE=8g',
      'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-size=2g',
      '"type=tmpfs","dst=/t","tmpfs-size=2g"',
      'type=tmpfs,dst=/t,tmpfs-size=1e30',
    ])('%s refused', (v) => {
      expect(verdict(['run', '--mount', v, IMAGE])).toEqual([ID]);
    });
    it('names the ceiling', () => {
      expect(msgs(['run', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=2g', IMAGE])).toEqual([
        '--mount "type=tmpfs,dst=/t,tmpfs-size=2g": tmpfs-size=2g is above this host\'s ceiling of 1g (policy run.maxTmpfsSize)',
      ]);
    });
    it.each([
      'type=tmpfs,dst=/t',
      'type=tmpfs,dst=/t,tmpfs-size=1g',
      'type=tmpfs,dst=/t,tmpfs-size=2g,tmpfs-size=64m',
      'type=tmpfs,dst=/t,tmpfs-size=0',
    ])('%s allowed', (v) => {
      expect(verdict(['run', '--mount', v, IMAGE])).toEqual([]);
    });
  });

  describe('--log-opt max-size / max-file', () => {
    it.each([
      ['max-size=21m'],
      ['max-size=1g'],
      ['max-size=20971521'],
      ['max-file=6'],
      ['max-file=+100'],
      ['max-file=0100'],
    ])('%s above the ceiling', (v) => {
      expect(msgs(['run', '--log-opt', v, IMAGE])).toEqual([
        expect.stringMatching(
          /^--log-opt .* is above this host's ceiling of (20m|5) \(policy run.logMax(Size|File)\)$/,
        ),
      ]);
    });
    it.each([
      ['max-size=-1'],
      ['max-size=0'],
      ['max-size='],
      ['max-size'],
      ['max-size=lots'],
      ['max-file=0'],
      ['max-file=-1'],
      ['max-file=x'],
      ['max-file=0x3'],
    ])('%s refused', (v) => {
      expect(verdict(['run', '--log-opt', v, IMAGE])).toEqual([ID]);
    });
    it("max-buffer-size (held in the engine's memory in non-blocking mode) is held to run.logMaxSize", () => {
      expect(msgs(['run', '--log-opt', 'mode=non-blocking', '--log-opt', 'max-buffer-size=64g', IMAGE])).toEqual([
        "--log-opt max-buffer-size=64g is above this host's ceiling of 20m (policy run.logMaxSize) (the buffer is held in the engine's memory)",
      ]);
      expect(verdict(['run', '--log-opt', 'max-buffer-size=-1', IMAGE])).toEqual([ID]);
      expect(verdict(['run', '--log-opt', 'mode=non-blocking', '--log-opt', 'max-buffer-size=4m', IMAGE])).toEqual([]);
    });
    it('the last of several still has to be within the ceiling, and so does every earlier one', () => {
      expect(verdict(['run', '--log-opt', 'max-size=1m', '--log-opt', 'max-size=1g', IMAGE])).toEqual([ID]);
      expect(verdict(['run', '--log-opt', 'max-size=1g', '--log-opt', 'max-size=1m', IMAGE])).toEqual([ID]);
    });
    it.each([['max-size=20m'], ['max-size=10k'], ['max-file=5'], ['max-file=1'], ['compress=true']])(
      '%s allowed',
      (v) => {
        expect(verdict(['run', '--log-driver', 'local', '--log-opt', v, IMAGE])).toEqual([]);
      },
    );
  });
});
