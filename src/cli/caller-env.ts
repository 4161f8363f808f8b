// The developer's environment, as far as the front end looks at it: docker client settings that
// would point elsewhere are refused rather than silently ignored, and a CI job id is picked up.

/** DOCKER_HOST values that name this host's own engine socket. */
const LOCAL_SOCKETS = new Set([
  'unix:///var/run/docker.sock',
  'unix:///run/docker.sock',
  '/var/run/docker.sock',
  '/run/docker.sock',
]);

/** A message when the environment asks for another engine or client setup; null when fine. */
export function callerEnvProblem(env: NodeJS.ProcessEnv): string | null {
  const set = (k: string): boolean => env[k] !== undefined && env[k] !== '';
  const found: string[] = [];
  if (set('DOCKER_HOST') && !LOCAL_SOCKETS.has((env.DOCKER_HOST as string).trim()))
    found.push(`DOCKER_HOST=${env.DOCKER_HOST}`);
  if (set('DOCKER_CONTEXT') && env.DOCKER_CONTEXT !== 'default') found.push(`DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`);
  for (const k of ['DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) if (set(k)) found.push(`${k}=${env[k]}`);
  if (found.length === 0) return null;
  return [
    `cida-docker: ${found.join(', ')} is set, but cida-docker only talks to this host's own Docker engine;`,
    '  it will not connect to another engine or use client certificates.',
    `  fix: unset ${found.map((f) => f.slice(0, f.indexOf('='))).join(' ')} (for example a Jenkins withServer/withDockerServer block or a CI template), or run docker on that host.`,
  ].join('\n');
}

/** The CI job to label containers with: Jenkins BUILD_TAG, GitLab CI_JOB_ID. */
export function ciJobOf(env: NodeJS.ProcessEnv): string | undefined {
  for (const k of ['BUILD_TAG', 'CI_JOB_ID']) {
    const v = env[k];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}
