/** The docker verbs the front end hands to the broker (each also an oclif command for help). */
export const DOCKER_VERBS = [
  'run',
  'ps',
  'logs',
  'stop',
  'start',
  'restart',
  'rm',
  'exec',
  'inspect',
  'port',
  'images',
  'pull',
  'push',
  'tag',
  'rmi',
  'login',
  'logout',
  'version',
  'info',
  'top',
  'wait',
  'kill',
  'stats',
  'build',
] as const;

/** Verbs whose front end does more than hand the argv over (build packs and streams the context). */
export const STREAMING_VERBS = ['build'] as const;
