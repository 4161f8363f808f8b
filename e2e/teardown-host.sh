#!/usr/bin/env bash
# Stop the dockerd and docker-registry that e2e/setup-host.sh started (its pid files in
# /run/cida-e2e). Best effort: never fails because something is already gone. Leaves
# packages, users, images, registry data, /etc/hosts and daemon.json alone.
#
#   CIDA_E2E_PURGE=1   also delete /var/lib/cida-e2e-registry (the pushed test images)
set -uo pipefail

readonly STATE_DIR=/run/cida-e2e

[[ $(id -u) -eq 0 ]] || { echo "teardown-host: run as root" >&2; exit 1; }

stop_pidfile() {
  local name="$1" comm="$2" file="$STATE_DIR/$1.pid" pid i
  if [[ ! -s $file ]]; then
    echo "teardown-host: $name: no pid file ($file); not started by setup-host.sh, left alone"
    return 0
  fi
  pid=$(<"$file")
  if [[ ! $pid =~ ^[0-9]+$ ]] || [[ ! -d /proc/$pid ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != "$comm" ]]; then
    echo "teardown-host: $name: pid $pid is not running (or is no longer $comm); removing stale pid file"
    rm -f "$file"
    return 0
  fi
  echo "teardown-host: stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  # dockerd stops its containers (10s grace each, in parallel) and its containerd first.
  for ((i = 0; i < 40; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.5
  done
  if [[ -d /proc/$pid ]]; then
    echo "teardown-host: $name (pid $pid) still running after 20s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_pidfile registry docker-registry
stop_pidfile dockerd dockerd

if [[ ${CIDA_E2E_PURGE:-0} == 1 ]]; then
  echo "teardown-host: removing /var/lib/cida-e2e-registry"
  rm -rf /var/lib/cida-e2e-registry
fi
exit 0
