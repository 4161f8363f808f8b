import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BROKER_PATH } from '../broker/paths.js';
import { DEFAULT_POLICY } from '../policy/policy.js';

const callBroker = vi.fn();
vi.mock('./broker-client.js', () => ({ callBroker: (...a: unknown[]) => callBroker(...a) }));
const readablePolicy = vi.fn((): unknown => null);
vi.mock('../policy/load.js', () => ({ readablePolicy: () => readablePolicy() }));
const { runDockerVerb } = await import('./docker-verb.js');

function brokerInstalled(yes: boolean): void {
  const real = fs.existsSync;
  vi.spyOn(fs, 'existsSync').mockImplementation((p) => (p === BROKER_PATH ? yes : real(p)));
}

describe('usage errors of docker verbs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    callBroker.mockReset();
  });

  it('go to the broker, which records and explains them', async () => {
    brokerInstalled(true);
    callBroker.mockResolvedValue({ code: 2 });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runDockerVerb(['login', '-phunter2', '--bogus', 'reg'])).toBe(2);
    expect(callBroker).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'docker', argv: ['login', '-phunter2', '--bogus', 'reg'] }),
    );
    expect(err).not.toHaveBeenCalled(); // the broker prints the message, once
  });

  it("without a broker: the front end prints docker's message itself, exit 2", async () => {
    brokerInstalled(false);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runDockerVerb(['ps', '--bogus'])).toBe(2);
    expect(callBroker).not.toHaveBeenCalled();
    expect(String(err.mock.calls[0][0])).toMatch(/unknown flag: --bogus\nSee 'cida-docker ps --help'/);
  });

  it('when sudo will not run the broker (69): the message and exit 2 all the same', async () => {
    brokerInstalled(true);
    callBroker.mockResolvedValue({ code: 69 });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runDockerVerb(['ps', '--bogus'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/unknown flag: --bogus/);
  });

  it('an allowed command calls the broker once, as before', async () => {
    callBroker.mockResolvedValue({ code: 0 });
    expect(await runDockerVerb(['ps', '-q'])).toBe(0);
    expect(callBroker).toHaveBeenCalledTimes(1);
  });
});

describe('which verbs the front end checks before the broker', () => {
  beforeEach(() => readablePolicy.mockClear());
  afterEach(() => {
    vi.restoreAllMocks();
    callBroker.mockReset();
    readablePolicy.mockClear();
  });

  it('ps, logs, stop…: straight to the broker, no policy read, no rulebook', async () => {
    brokerInstalled(true);
    callBroker.mockResolvedValue({ code: 0 });
    for (const argv of [
      ['ps', '-a'],
      ['logs', '-f', 'web'],
      ['container', 'stop', 'web'],
      ['-D', 'ps'],
    ]) {
      expect(await runDockerVerb(argv)).toBe(0);
      expect(callBroker).toHaveBeenLastCalledWith({ v: 1, kind: 'docker', argv, cwd: process.cwd(), ciJob: undefined });
    }
    expect(readablePolicy).not.toHaveBeenCalled();
  });

  it('run and exec carry `-e NAME` values from this environment, so they are read here first', async () => {
    brokerInstalled(true);
    callBroker.mockResolvedValue({ code: 0 });
    vi.stubEnv('CIDA_TEST_VALUE', 's3cret');
    try {
      expect(await runDockerVerb(['exec', '-e', 'CIDA_TEST_VALUE', 'web', 'env'])).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(readablePolicy).toHaveBeenCalled();
    expect(callBroker).toHaveBeenCalledWith(expect.objectContaining({ env: { CIDA_TEST_VALUE: 's3cret' } }));
  });

  it('a refusal the broker cannot explain (sudo says no) is explained here, 77', async () => {
    brokerInstalled(true);
    callBroker.mockResolvedValue({ code: 69 });
    readablePolicy.mockReturnValue(DEFAULT_POLICY);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runDockerVerb(['-H', 'tcp://elsewhere:2375', 'ps'])).toBe(77);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/engine-override/);
  });
});
