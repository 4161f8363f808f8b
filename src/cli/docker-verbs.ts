/** The docker verbs the front end hands to the broker (each also an oclif command for help). */
export const DOCKER_VERBS = [
  'run', 'ps', 'logs', 'stop', 'start', 'restart', 'rm', 'exec', 'inspect', 'port', 'images', 'pull', 'push',
  'tag', 'login', 'logout', 'version', 'info', 'top', 'wait', 'kill', 'stats',
] as const;
