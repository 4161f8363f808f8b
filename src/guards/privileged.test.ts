import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';
import { spellings } from './test-spellings.js';

const ID = 'privileged';
const BOOLS = ['true', 'false', '1', '0', 't', 'f', 'T', 'F', 'TRUE', 'FALSE', 'True', 'False'];

describe('privileged: refused on run and exec, any spelling, any value', () => {
  const run = BOOLS.flatMap((b) => spellings('run', 'privileged', b)).map((t) => [['run', ...t, IMAGE]] as [string[]]);
  const exec = BOOLS.flatMap((b) => spellings('exec', 'privileged', b)).map(
    (t) => [['exec', ...t, 'web', 'sh']] as [string[]],
  );
  it.each([...run, ...exec])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it.each([
    [['run', '--privileged=false', '--privileged', IMAGE]],
    [['run', '--privileged', '--privileged=false', IMAGE]],
    [['run', '--privileged=0', '--privileged=1', IMAGE]],
    [['run', '-itd', '--privileged', IMAGE]],
    [['run', '--read-only', '--privileged', IMAGE]],
    [['run', '--init', '--privileged', IMAGE]],
    [['run', '--rm', '--privileged', IMAGE]],
    [['run', '-e', 'MODE=prod', '--privileged', IMAGE]],
    [['run', '--name', 'web', '--privileged', '-p', '50000:80', IMAGE]],
    [['run', '--privileged', 'true', IMAGE]],
    [['container', 'run', '--privileged', IMAGE]],
    [['--', 'run', '--privileged', IMAGE]],
    [['-D', 'run', '--privileged', IMAGE]],
    [['run', ...Array.from({ length: 2000 }, (_, i) => ['-e', `V${i}=x`]).flat(), '--privileged', IMAGE]],
    [['exec', '-it', '--privileged', 'web', 'sh']],
    [['exec', '-d', '--privileged=0', 'web', 'sh']],
    [['exec', '--privileged=false', '--privileged=true', 'web', 'sh']],
    [['container', 'exec', '--privileged', 'web', 'sh']],
    [['exec', '-e', 'A=1', '--privileged', '-w', '/app', 'web', 'sh']],
  ])('%j', (argv) => {
    expect(verdict(argv)).toContain(ID);
  });

  it('says the flag is refused and why, whatever its value', () => {
    const v = decide(['run', '--privileged=false', IMAGE], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(v?.message).toMatch(/^--privileged is not allowed: .*every capability/);
    expect(v?.fix).toContain('Leave out --privileged');
  });
});

describe('privileged: not the flag', () => {
  it.each([
    [['run', IMAGE, '--privileged']],
    [['run', IMAGE, 'sh', '-c', 'echo --privileged']],
    [['run', '--rm', IMAGE, '--privileged=true']],
    [['run', '-e', 'JAVA_OPTS=-Dapp.flag=--privileged', IMAGE]],
    [['run', '-e', '--privileged', IMAGE]],
    [['run', '--label', 'note=--privileged', IMAGE]],
    [['exec', 'web', 'sh', '--privileged']],
    [['exec', 'web', '--privileged']],
  ])('%j is allowed: --privileged is a value or belongs to the container', (argv) => {
    expect(verdict(argv)).toEqual([]);
  });

  it.each([
    [['run', '--Privileged', IMAGE]],
    [['run', '--PRIVILEGED', IMAGE]],
    [['run', '--privileged=yes', IMAGE]],
    [['run', '--privileged=tRuE', IMAGE]],
    [['run', '--privileged=', IMAGE]],
    [['run', '--priv', IMAGE]],
    [['run', '---privileged', IMAGE]],
    [['run', '--privil\u0435ged', IMAGE]],
    [['--privileged', 'run', IMAGE]],
    [['exec', '-privileged', 'web', 'sh']],
    [['exec', '--privileged=2', 'web', 'sh']],
  ])('%j is a usage error, as in docker', (argv) => {
    expect(verdict(argv)).toBe('usage');
  });

  it('-privileged on run is -p rivileged (a port spec), never --privileged', () => {
    // docker rejects the port spec "rivileged"; whatever our parser makes of it, it is not --privileged.
    const v = verdict(['run', '-privileged', IMAGE]);
    if (v !== 'usage') expect(v).not.toContain(ID);
  });
});
