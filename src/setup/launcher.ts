// The program the sudo rule names (BROKER_PATH): a short POSIX sh launcher, written by setup with
// the absolute node and bundle paths baked in. Why not node itself: the caller may signal their
// own sudo process, and sudo relays what it gets to its command. Node 20 opens its inspector on
// SIGUSR1 (root code for any local user), ends without a word on SIGUSR2 and the like, and resets
// every ignored signal to its default when it starts. So the launcher takes the signals instead:
// it ignores all of them but INT, TERM, HUP and QUIT, starts node in a new session (another uid,
// another session, no controlling terminal: neither the caller nor a terminal can signal it), holds
// those four until node has installed its listeners (it catches SIGQUIT last: src/broker/signals.ts),
// relays them, and exits with node's exit code.

/** The launcher's fixed PATH: it runs setsid, sed, sleep and kill from there. */
export const LAUNCHER_PATH_ENV = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Paths setup bakes into the launcher: absolute, nothing a shell would read specially. */
export function launcherPathProblem(p: string): string | undefined {
  return /^\/[A-Za-z0-9._+/-]+$/.test(p)
    ? undefined
    : `${JSON.stringify(p)} is not an absolute path of plain characters ([A-Za-z0-9._+/-])`;
}

/** The launcher's text, for this node and this bundle. */
export function launcherContent(node: string, bundle: string): string {
  for (const p of [node, bundle]) {
    const problem = launcherPathProblem(p);
    if (problem) throw new Error(`cannot write the broker launcher: ${problem}`);
  }
  return `#!/bin/sh
# cida-docker broker launcher, written by \`cida-docker setup\` (do not edit): the one command the
# sudo rule allows. sudo relays the signals its caller sends it to this script, never to node:
# every signal is ignored here but INT, TERM, HUP and QUIT, which are relayed to the broker, which
# runs in a session of its own, once it handles them. Exits with the broker's exit code.
PATH=${LAUNCHER_PATH_ENV}
export PATH
node='${node}'
bundle='${bundle}'

# Ignore every signal (KILL and STOP cannot be); CHLD keeps its default, or wait would see nothing.
n=1
while [ "$n" -le 64 ]; do trap '' "$n"; n=$((n + 1)); done
trap - CHLD

# The broker, in a new session, with the caller's stdin (an asynchronous command's stdin would be
# /dev/null). It starts with every signal ignored, so nothing kills it before node runs, and node
# then sets each one back to its default until the broker's first module listens to them all.
exec 3<&0
setsid "$node" "$bundle" <&3 3<&- &
pid=$!
exec 3<&-

# Relayed signals queue up here; the main loop hands them on.
pending=
trap 'pending="\${pending}INT "' INT
trap 'pending="\${pending}TERM "' TERM
trap 'pending="\${pending}HUP "' HUP
trap 'pending="\${pending}QUIT "' QUIT

# st=ready once the broker catches SIGQUIT (bit 3 of SigCgt), gone once it has exited, else starting.
state() {
  set -- $(sed -n 's/^State:[[:space:]]*\\(.\\).*/\\1/p; s/^SigCgt:.*\\(........\\)$/\\1/p' "/proc/$pid/status" 2>/dev/null)
  if [ $# -ne 2 ] || [ "$1" = Z ]; then st=gone
  elif [ $((0x$2 & 4)) -ne 0 ]; then st=ready
  else st=starting; fi
}

# Hands the queued signals on, in order, holding them while the broker starts.
relay() {
  while [ -n "$pending" ]; do
    state
    case $st in
      gone) pending= ;;
      starting) sleep 0.01 ;;
      ready) s=\${pending%% *}; pending=\${pending#* }; kill -s "$s" "$pid" 2>/dev/null ;;
    esac
  done
}

# A trapped signal interrupts wait: relay it and wait again, until the broker has exited.
while :; do
  wait "$pid"
  code=$?
  [ -z "$pending" ] && break
  relay
done
exit "$code"
`;
}

/** The node a launcher names (its `node='…'` line), for doctor. */
export function launcherNode(text: string): string | undefined {
  return /^node='([^'\n]*)'$/m.exec(text)?.[1];
}

/** Whether the file is the launcher at all (not, say, the single-file Node broker of earlier versions). */
export function isLauncher(text: string): boolean {
  return text.startsWith('#!/bin/sh\n') && launcherNode(text) !== undefined;
}
