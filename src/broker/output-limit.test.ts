// Docker's output over the broker's capture caps, against a fake docker client that prints more
// than the cap: a clear refusal (which limit, what to do), never an internal error with a stack,
// and never an action taken on a cut listing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { captureStdio } from '../../test/capture-stdio.js';
import { parseDockerArgv } from '../docker/parse.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { CAPTURE_MAX_BYTES } from './engine.js';
import { type BrokerContext, OUTPUT_LIMIT_RULE, type Outcome, Stopped } from './outcome.js';
import { brokerRun } from './run.js';
import { brokerVerb } from './verbs.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cida-limit-'));
const calls = path.join(dir, 'calls');
const fake = path.join(dir, 'docker');
// Every listing and every image inspect is endless (a host with too many containers, an image with too many tags).
fs.writeFileSync(
  fake,
  `#!/bin/sh
echo "$*" >> ${calls}
case "$1 $2" in
  "ps --all") yes '["${'a'.repeat(64)}","web","running"]' | head -c ${CAPTURE_MAX_BYTES + 4096} ;;
  "image inspect") yes 'registry.example.internal/x:y' | head -c ${1024 * 1024} ;;
  "network inspect") exit 1 ;;
esac
exit 0
`,
  { mode: 0o755 },
);

function ctx(): BrokerContext {
  return {
    engine: { docker: fake, env: { PATH: '/usr/bin:/bin' } },
    caller: { user: 'dev1', uid: 1001, viaSudo: true },
    policy: { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] },
    admin: false,
    records: path.join(dir, 'records'),
    store: () => ({ approvalFor: () => undefined, recordBuild: () => undefined, provenanceOf: () => undefined }),
  };
}

const io = captureStdio();
beforeEach(() => {
  fs.rmSync(calls, { force: true });
  fs.mkdirSync(path.join(dir, 'records'), { recursive: true, mode: 0o700 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The outcome the broker ends with: a returned one, or the one a Stopped carries (broker.ts). */
async function outcomeOf(p: Promise<Outcome>): Promise<Outcome> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof Stopped) return e.outcome;
    throw e;
  }
}
const dockerVerbs = (): string[] =>
  fs.existsSync(calls)
    ? fs
        .readFileSync(calls, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0])
    : [];

describe('docker output over the capture cap', () => {
  it('a container listing over 8 MiB: a refusal that names the limit and the fix, nothing acted on', async () => {
    // A developer's plain ps reads their ids from the ownership records (no listing); before/since still list.
    for (const argv of [
      ['stop', 'web'],
      ['logs', 'web'],
      ['ps', '--filter', 'since=web'],
      ['start', 'web'],
      ['inspect', 'web'],
    ]) {
      io.stderr = '';
      fs.rmSync(calls, { force: true });
      const o = await outcomeOf(brokerVerb(ctx(), parseDockerArgv(argv)));
      expect({ argv, exit: o.exit, rules: o.rules, verdict: o.verdict }).toEqual({
        argv,
        exit: 77,
        rules: [OUTPUT_LIMIT_RULE],
        verdict: 'refused',
      });
      expect(io.stderr).toContain(`[${OUTPUT_LIMIT_RULE}] the engine's list of containers is larger than the 8 MiB`);
      expect(io.stderr).toMatch(/administrator to remove stale containers/);
      expect(io.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(o.note).toMatch(/8 MiB/); // the audit line's reason
      expect(dockerVerbs()).toEqual(['ps']); // the listing only
    }
  });

  it('run: the same refusal, before anything is created', async () => {
    const asked = parseDockerArgv(['run', '-d', 'registry.example.internal/team/app:1']);
    const o = await outcomeOf(
      brokerRun(ctx(), asked, withForcedFlags(asked, ctx().policy, { user: 'dev1', uid: 1001 })),
    );
    expect(o.exit).toBe(77);
    expect(o.rules).toEqual([OUTPUT_LIMIT_RULE]);
    expect(dockerVerbs()).not.toContain('create');
  });

  it('tag: an image inspect over its cap is a refusal, not "no such image" (a name it could not judge is never moved)', async () => {
    const o = await outcomeOf(
      brokerVerb(ctx(), parseDockerArgv(['tag', 'registry.example.internal/a:1', 'registry.example.internal/a:2'])),
    );
    expect(o.exit).toBe(77);
    expect(o.rules).toEqual([OUTPUT_LIMIT_RULE]);
    expect(io.stderr).toContain('256 KiB');
    expect(dockerVerbs()).not.toContain('tag');
  });
});
