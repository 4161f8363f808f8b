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
    ['--oom-kill-disable'], ['--oom-kill-disable=true'], ['--oom-kill-disable=false'], ['--oom-kill-disable=0'],
    ['--cpu-rt-runtime', '950000'], ['--cpu-rt-runtime=1'], ['--cpu-rt-period', '1000000'],
    ['--cgroup-parent', '/'], ['--cgroup-parent=system.slice'], ['--kernel-memory', '1g'],
  ])('run %s', (...flag) => {
    expect(verdict(['run', ...flag, IMAGE])).toEqual([ID]);
  });
  it('build --cgroup-parent', () => {
    expect(verdict(['build', '--cgroup-parent', 'system.slice', '.'])).toEqual([ID]);
  });
});

describe('resource-limits: --oom-score-adj below 0', () => {
  it.each([
    [['--oom-score-adj', '-1']], [['--oom-score-adj=-1000']], [['--oom-score-adj', '-0x10']],
    [['--oom-score-adj', '-0b1']], [['--oom-score-adj', '-1_000']], [['--oom-score-adj', '-0o17']],
    [['--oom-score-adj', '-010']], [['--oom-score-adj', '500', '--oom-score-adj', '-500']],
    [['-d', '--oom-score-adj=-1']],
  ])('%j refused', (flags) => {
    expect(verdict(['run', ...flags, IMAGE])).toEqual([ID]);
  });
  it.each([
    [['--oom-score-adj', '0']], [['--oom-score-adj', '-0']], [['--oom-score-adj', '+500']],
    [['--oom-score-adj', '0x10']], [['--oom-score-adj', '1_000']], [['--oom-score-adj', '-5', '--oom-score-adj', '5']],
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
  it.each([
    ['-1'], ['0'], ['-0'], ['00'], ['0x0'], ['0b0'], ['0o0'], ['0_0'], ['-0x1'], ['-9223372036854775808'],
  ])('--pids-limit %s refused', (v) => {
    expect(verdict(['run', '--pids-limit', v, IMAGE])).toEqual([ID]);
    expect(verdict(['run', `--pids-limit=${v}`, IMAGE])).toEqual([ID]);
  });
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
  const zeros = ['0', '0b', '0B', '0k', '0m', '0g', '0KiB', '0 m', '-0', '0.5', '0.0009k', '1e-9', '0_0', '0x0p0', '.1'];
  it.each(zeros)('run -m %s refused in every spelling', (v) => {
    for (const flags of [['-m', v], [`-m${v}`], [`-m=${v}`], ['--memory', v], [`--memory=${v}`], ['-dm', v], ['-itm', v]])
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
    ['nofile=-1'], ['nproc=-1'], ['nproc=10:-1'], ['memlock=-1:-1'], ['nofile=-2'], ['nofile=-2:-2'], ['core=-01'],
    ['nproc=9223372036854775807'], ['stack=5:9223372036854775807'], ['rtprio=99'], ['rtprio=0:1'], ['nice=40'], ['nice=0:21'],
  ])('--ulimit %s refused (run and build)', (v) => {
    expect(verdict(['run', '--ulimit', v, IMAGE])).toEqual([ID]);
    expect(verdict(['run', `--ulimit=${v}`, IMAGE])).toEqual([ID]);
    expect(verdict(['build', '--ulimit', v, '.'])).toEqual([ID]);
  });
  it('any occurrence among several is refused (docker keeps the last per name; we refuse the request)', () => {
    expect(verdict(['run', '--ulimit', 'nofile=1024', '--ulimit', 'nproc=-1', IMAGE])).toEqual([ID]);
    expect(verdict(['run', '--ulimit', 'nproc=-1', '--ulimit', 'nproc=100', IMAGE])).toEqual([ID]);
  });
  it.each([['nofile=1024'], ['nofile=1024:2048'], ['nproc=+100'], ['nofile=0'], ['nproc=-0'], ['rtprio=0'], ['nice=20'], ['rttime=1000']])(
    '--ulimit %s allowed',
    (v) => {
      expect(verdict(['run', '--ulimit', v, IMAGE])).toEqual([]);
      expect(verdict(['build', '--ulimit', v, '.'])).toEqual([]);
    },
  );
  it('values docker rejects are refused', () => {
    for (const v of ['nofile', 'NOFILE=1', 'as=1', 'nofile=0x10', 'nofile=1_0', 'nofile=1:2:3', 'nofile=-1:10', 'nofile=20:10', 'nofile='])
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

