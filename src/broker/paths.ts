// Fixed, root-owned locations shared by setup, doctor, the broker and its client.
export const BROKER_DIR = '/usr/local/lib/cida-docker';
/**
 * What the only sudo rule names: a small root-owned sh launcher (src/setup/launcher.ts) that
 * starts the Node broker in a session of its own and relays only INT, TERM, HUP and QUIT to it.
 */
export const BROKER_PATH = `${BROKER_DIR}/broker`;
/** The Node broker itself: one bundled ES module, root:root 0644, run by the launcher. */
export const BROKER_BUNDLE_PATH = `${BROKER_DIR}/broker.mjs`;
export const SUDOERS_PATH = '/etc/sudoers.d/cida-docker';
export const AUDIT_LOG_PATH = '/var/log/cida-docker/audit.jsonl';
/** Members may use the broker through sudo. */
export const BROKER_GROUP = 'cida-docker';
/**
 * The request (docker argv and context) reaches the broker in this environment variable, kept
 * by the sudo rule's env_keep: never on sudo's command line, which sudo writes to the auth log
 * and every user can read in `ps`.
 */
export const REQUEST_ENV = 'CIDA_DOCKER_REQUEST';
/** Root-owned state of the broker: per-user docker client configuration (registry logins). */
export const BROKER_STATE_DIR = '/var/lib/cida-docker';
/** Root-owned approvals store (root:root 0700, files 0600): one JSON document per approval, image provenance under images/. */
export const APPROVALS_DIR = `${BROKER_STATE_DIR}/approvals`;
/** Root-owned records of the containers the broker created: who owns each one (ownership.ts). */
export const CONTAINERS_DIR = `${BROKER_STATE_DIR}/containers`;
/** Root-owned per-developer locks around the container ceiling (caller-lock.ts). */
export const LOCKS_DIR = `${BROKER_STATE_DIR}/locks`;
/** HOME and DOCKER_CONFIG of the docker client run for user `uid`: registry logins stay per user. */
export function userDockerHome(uid: number): string {
  return `${BROKER_STATE_DIR}/users/${uid}`;
}
