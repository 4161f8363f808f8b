// The docker verbs cida-docker supports: one row each, read by the front end (commands, help,
// the lean entry), the allowlist and README. What a verb does at the broker is `scope`.

/** How the broker confines a verb. */
export type VerbScope =
  /** Creates a container, recorded as the caller's (run). */
  | 'creates-container'
  /** Lists only the caller's containers (ps; administrators: all). */
  | 'lists-own-containers'
  /** Acts only on the caller's containers (administrators: all). */
  | 'own-containers'
  /** Images are shared on the host; what may be pulled, tagged or pushed is checked per image. */
  | 'images'
  /** Builds from a context the front end streams; only approved Dockerfiles. */
  | 'streamed-build'
  /** Registry credentials, kept per user. */
  | 'own-credentials'
  /** Reads about the engine, changes nothing. */
  | 'engine-read';

export interface Verb {
  /** Docker's command words after `docker`: `run`, or `container inspect` for a management command's own verb. */
  readonly name: string;
  readonly summary: string;
  /** What differs from docker's own verb, in a sentence or two. */
  readonly description: string;
  readonly scope: VerbScope;
  /** Command lines after `cida-docker`. */
  readonly examples: readonly string[];
}

export const VERBS: readonly Verb[] = [
  {
    name: 'run',
    summary: 'Run a container from a trusted image: detached, ports published, hardened, as a non-root user.',
    description:
      "Always runs detached with all ports published (-d -P), with the policy's hardening (no-new-privileges, cap-drop ALL, memory and pids limits, log rotation) and as a numeric non-root uid:gid. Without -d it behaves like docker's foreground run: streams the logs, waits, exits with the container's exit code (and removes it with --rm); -it on a terminal attaches. Prints the container id alone on stdout with -d.",
    scope: 'creates-container',
    examples: [
      'run -d -p 8080 registry.example.internal:5000/team/web:1',
      'CID=$(cida-docker run -d registry.example.internal:5000/team/web:1)',
      'run --rm registry.example.internal:5000/team/build:1 make test',
    ],
  },
  {
    name: 'ps',
    summary: 'List your containers (administrators: all).',
    description:
      'Like docker ps; shows only the containers you started. -a, -q, --format and --filter work as in docker.',
    scope: 'lists-own-containers',
    examples: ['ps -a', 'ps -q --filter status=exited'],
  },
  {
    name: 'logs',
    summary: 'Fetch the logs of one of your containers.',
    description: 'Like docker logs; -f follows until Ctrl-C.',
    scope: 'own-containers',
    examples: ['logs -f web'],
  },
  {
    name: 'stop',
    summary: 'Stop one or more of your containers.',
    description: 'Like docker stop.',
    scope: 'own-containers',
    examples: ['stop web'],
  },
  {
    name: 'start',
    summary: 'Start one or more of your stopped containers.',
    description:
      'Like docker start, for containers cida-docker run created; the user they run as is checked again once started.',
    scope: 'own-containers',
    examples: ['start web'],
  },
  {
    name: 'restart',
    summary: 'Restart one or more of your containers.',
    description: 'Like docker restart; the user they run as is checked again once started.',
    scope: 'own-containers',
    examples: ['restart web'],
  },
  {
    name: 'rm',
    summary: 'Remove one or more of your containers.',
    description: 'Like docker rm.',
    scope: 'own-containers',
    examples: ['rm -f web'],
  },
  {
    name: 'exec',
    summary: 'Run a command in one of your running containers.',
    description: 'Like docker exec; runs as the user the container was created with, never privileged.',
    scope: 'own-containers',
    examples: ['exec -it web sh'],
  },
  {
    name: 'inspect',
    summary: 'Show low-level information on your containers or on images.',
    description: 'Like docker inspect, for your own containers and for images.',
    scope: 'own-containers',
    examples: ["inspect --format '{{.State.Status}}' web"],
  },
  {
    name: 'container inspect',
    summary: 'Show low-level information on your containers.',
    description: "Like docker container inspect, for your own containers; somebody else's answers like a missing one.",
    scope: 'own-containers',
    examples: ["container inspect --format '{{.State.Status}}' web", 'container inspect -s web'],
  },
  {
    name: 'image inspect',
    summary: 'Show low-level information on images.',
    description: 'Like docker image inspect; images are shared on the host, so every image can be inspected.',
    scope: 'images',
    examples: ["image inspect --format '{{.Config.User}}' registry.example.internal:5000/team/web:1"],
  },
  {
    name: 'port',
    summary: 'List the published ports of one of your containers.',
    description: 'Like docker port.',
    scope: 'own-containers',
    examples: ['port web 8080'],
  },
  {
    name: 'top',
    summary: 'Display the processes of one of your containers.',
    description: 'Like docker top.',
    scope: 'own-containers',
    examples: ['top web'],
  },
  {
    name: 'wait',
    summary: 'Wait until your containers stop, then print their exit codes.',
    description: 'Like docker wait.',
    scope: 'own-containers',
    examples: ['wait web'],
  },
  {
    name: 'kill',
    summary: 'Kill one or more of your running containers.',
    description: 'Like docker kill.',
    scope: 'own-containers',
    examples: ['kill -s HUP web'],
  },
  {
    name: 'stats',
    summary: 'Display resource usage of your containers.',
    description: 'Like docker stats.',
    scope: 'own-containers',
    examples: ['stats --no-stream'],
  },
  {
    name: 'images',
    summary: 'List images.',
    description: 'Like docker images; images are shared on the host, so every image is listed.',
    scope: 'images',
    examples: ['images'],
  },
  {
    name: 'pull',
    summary: 'Pull an image from the trusted registry.',
    description: "Like docker pull, for the policy's trusted registries, by tag or digest.",
    scope: 'images',
    examples: ['pull registry.example.internal:5000/base/busybox:1'],
  },
  {
    name: 'push',
    summary: 'Push an approved image to the trusted registry.',
    description:
      "Like docker push, for images built from an approved Dockerfile, to that approval's repository; your registry login is kept for you alone.",
    scope: 'images',
    examples: ['push registry.example.internal:5000/team/web:1'],
  },
  {
    name: 'tag',
    summary: 'Tag an image.',
    description:
      'Like docker tag, inside the repository your build was approved for; never moves a name onto or away from an image you did not build.',
    scope: 'images',
    examples: ['tag registry.example.internal:5000/team/web:1 registry.example.internal:5000/team/web:stable'],
  },
  {
    name: 'rmi',
    summary: 'Remove tags of your own builds (administrators: any image).',
    description:
      'Like docker rmi; images are shared on this host, so a developer removes only names of images they built, by name (not by id).',
    scope: 'images',
    examples: ['rmi registry.example.internal:5000/team/web:1'],
  },
  {
    name: 'build',
    summary: 'Build an image from an approved Dockerfile.',
    description:
      'Like docker build; the context is packed as you and streamed to the broker, which builds only a Dockerfile a reviewer approved, tagged inside its approved repository.',
    scope: 'streamed-build',
    examples: ['build -t registry.example.internal:5000/team/web:1 .'],
  },
  {
    name: 'login',
    summary: 'Log in to the trusted registry (the login is kept for you alone).',
    description:
      'Like docker login; the credentials are stored per user by the broker, never in a shared docker config. Prefer --password-stdin.',
    scope: 'own-credentials',
    examples: ['login -u me --password-stdin registry.example.internal:5000'],
  },
  {
    name: 'logout',
    summary: 'Log out from a registry.',
    description: 'Like docker logout; removes only your own login.',
    scope: 'own-credentials',
    examples: ['logout registry.example.internal:5000'],
  },
  {
    name: 'version',
    summary: "Show cida-docker's and docker's versions.",
    description: "Like docker version, with cida-docker's own version first (unless --format).",
    scope: 'engine-read',
    examples: ['version'],
  },
  {
    name: 'info',
    summary: 'Display system-wide information about the engine.',
    description: 'Like docker info.',
    scope: 'engine-read',
    examples: ["info --format '{{.ServerVersion}}'"],
  },
];

export function verbByName(name: string): Verb | undefined {
  return VERBS.find((v) => v.name === name);
}
