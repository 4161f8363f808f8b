import { describe, expect, it } from 'vitest';
import { emitDockerArgv } from '../docker/emit.js';
import { parseDockerArgv } from '../docker/parse.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { withCallerEnv } from './caller-env.js';
import { createFromRun } from './run.js';

const forced = (argv: string[]) => withForcedFlags(parseDockerArgv(argv), DEFAULT_POLICY, { user: 'dev1', uid: 1001, ciJob: 'job-7' });

describe('run → create', () => {
  it('keeps every hardening flag and label, drops only what create lacks', () => {
    const argv = emitDockerArgv(createFromRun(forced(['run', '-it', '--rm', '--detach-keys', 'ctrl-x', '--sig-proxy=false', '-p', '8080', 'img', 'sh']), true));
    expect(argv).toEqual([
      'create', '--interactive', '--tty', '--rm', '--publish=8080', '--publish-all', '--security-opt=no-new-privileges', '--cap-drop=ALL',
      '--cgroupns=private', '--pids-limit=512', '--memory=1g', '--memory-swap=1g', '--log-driver=json-file', '--log-opt=max-size=20m',
      '--log-opt=max-file=5', '--label=cida.owner=dev1', '--label=cida.uid=1001', '--label=cida.ci-job=job-7', '--', 'img', 'sh',
    ]);
  });
  it('drops --rm for a foreground run (the broker removes it after wait)', () => {
    expect(emitDockerArgv(createFromRun(forced(['run', '--rm', 'img']), false))).not.toContain('--rm');
  });
  it('keeps the command words of `container run`', () => {
    expect(createFromRun(forced(['container', 'run', 'img']), true).words).toEqual(['container', 'create']);
  });
});

describe('-e NAME from the caller environment', () => {
  it('fills in values the front end sent and drops the rest', () => {
    const cmd = withCallerEnv(parseDockerArgv(['run', '-e', 'A', '-e', 'B=2', '-e', 'PATH', '-e', 'GONE', 'img']), { A: 'one', PATH: '/mine' });
    expect(cmd.flags.env).toEqual(['A=one', 'B=2', 'PATH=/mine']);
  });
  it('leaves a command without such entries alone', () => {
    const cmd = parseDockerArgv(['run', '-e', 'B=2', 'img']);
    expect(withCallerEnv(cmd, {})).toBe(cmd);
  });
});
