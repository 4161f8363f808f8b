// The docker verbs of the front end (`cida-docker run/ps/logs/…`, `-v`): refuse a caller
// environment that points at another engine, then hand the argv to the broker, which decides,
// explains, audits and runs docker. Only the verbs that need something of this side go through the
// early check first (front-check.ts); the others load no rulebook on their way to the broker.
import fs from 'node:fs';
import { BROKER_PATH } from '../broker/paths.js';
import type { DockerRequest } from '../broker/request.js';
import { EXIT } from '../exit-codes.js';
import { callBroker } from './broker-client.js';
import { callerEnvProblem, ciJobOf } from './caller-env.js';

/**
 * Words of a command line whose verb needs the front end's parse: run and exec (`-e NAME` values
 * from the developer's environment, and a piped stdin refused before anything starts), push and
 * pull (a Jenkins registry login), version (our own version line). The same word elsewhere in the
 * line (a container named `run`) only costs the early check.
 */
const NEEDS_FRONT_END: ReadonlySet<string> = new Set(['run', 'exec', 'push', 'pull', 'version', '--version', '-v']);

/** Runs one docker command line (after the program name) through the broker; the exit code. */
export async function runDockerVerb(argv: readonly string[]): Promise<number> {
  // `login -p PASSWORD`: take the password out of this process's command line (ps) at once.
  if (argv.includes('login')) process.title = 'cida-docker login';
  const envProblem = callerEnvProblem(process.env);
  if (envProblem !== null) {
    process.stderr.write(`${envProblem}\n`);
    return EXIT.usage;
  }
  const request: DockerRequest = {
    v: 1,
    kind: 'docker',
    argv: [...argv],
    cwd: process.cwd(),
    ciJob: ciJobOf(process.env),
  };
  if (argv.some((a) => NEEDS_FRONT_END.has(a)) || !fs.existsSync(BROKER_PATH))
    return (await import('./front-check.js')).checkThenCallBroker(request);
  const { code } = await callBroker(request);
  // No broker answered: the refusal or usage error it would have explained, explained here.
  return code === EXIT.notSetUp ? ((await import('./front-check.js')).explainAlone(request) ?? code) : code;
}
