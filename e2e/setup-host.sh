#!/usr/bin/env bash
# Prepare this host for cida-docker end-to-end tests. Run as root; safe to re-run.
#
#  - installs Debian's docker.io, docker-registry, sudo, busybox-static, iptables (apt-get)
#  - starts dockerd in the background if no engine answers (log: /var/log/cida-e2e-dockerd.log)
#  - makes registry.example.internal resolve to 127.0.0.1 and runs a plain-http registry
#    on 127.0.0.1:5000 (log: /var/log/cida-e2e-registry.log)
#  - makes registry-auth.example.internal resolve to 127.0.0.1 and lists
#    registry-auth.example.internal:5001 as insecure: e2e/publish.test.ts starts a registry with
#    htpasswd authentication there (apache2-utils' htpasswd makes its password file)
#  - builds busybox-based images offline (docker import) and pushes them to that registry
#  - creates the test users cida-dev1, cida-dev2, cida-outsider (never in the docker group)
#  - sets net.ipv4.ip_local_port_range to "49153 65535" when the kernel lets us
#
# Environment knobs (all optional):
#   CIDA_E2E_FORCE_APT=1         run apt-get update/install even if every package is present
#   CIDA_E2E_STORAGE_DRIVER=x    storage driver for a dockerd this script starts
#                                (default: overlay2 when usable here, else vfs)
#   CIDA_E2E_REBUILD_IMAGES=1    rebuild and re-push the test images even if present
#   CIDA_E2E_DOCKERD_TIMEOUT=60  seconds to wait for the engine to answer
set -euo pipefail

readonly DOCKER=/usr/local/bin/docker          # docker 28.2.2 client; never /usr/bin/docker
readonly DOCKERD=/usr/sbin/dockerd
readonly REGISTRY_HOST=registry.example.internal
readonly REGISTRY_ADDR=127.0.0.1:5000
readonly REGISTRY="${REGISTRY_HOST}:5000"
# The registry with authentication: started and stopped by e2e/publish.test.ts (its own htpasswd).
readonly AUTH_REGISTRY_HOST=registry-auth.example.internal
readonly AUTH_REGISTRY="${AUTH_REGISTRY_HOST}:5001"
readonly REGISTRY_DATA=/var/lib/cida-e2e-registry
readonly REGISTRY_CONFIG=/etc/cida-e2e/registry.yml
readonly STATE_DIR=/run/cida-e2e               # pid files
readonly DOCKERD_LOG=/var/log/cida-e2e-dockerd.log
readonly REGISTRY_LOG=/var/log/cida-e2e-registry.log
readonly DAEMON_JSON=/etc/docker/daemon.json
readonly PORT_RANGE="49153 65535"
readonly IMAGE_VERSION=1                        # bump when the image contents change
readonly PACKAGES=(docker.io docker-registry sudo busybox-static iptables curl jq procps iproute2 apache2-utils)
readonly TEST_USERS=(cida-dev1 cida-dev2 cida-outsider)

START_TS=$(date +%s)
SUMMARY=()

log()  { printf '[setup-host %3ss] %s\n' "$(( $(date +%s) - START_TS ))" "$*"; }
note() { SUMMARY+=("$*"); }
die()  { printf '[setup-host] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (e.g. sudo $0)"
[[ -x $DOCKER ]] || die "$DOCKER (docker 28.2.2 client) is missing; this script does not install it"

mkdir -p "$STATE_DIR" /etc/cida-e2e

# ---------------------------------------------------------------------------------------
# 1. packages
# ---------------------------------------------------------------------------------------
all_installed() {
  local p st
  for p in "${PACKAGES[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $st == installed ]] || return 1
  done
}

install_packages() {
  if all_installed && [[ ${CIDA_E2E_FORCE_APT:-0} != 1 ]]; then
    log "packages already installed: ${PACKAGES[*]}"
    return
  fi
  # Keep maintainer scripts from starting services (docker, registry) with their default
  # settings: we start them ourselves, with flags that work without systemd.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt-get update -q
  log "apt-get install ${PACKAGES[*]}"
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${PACKAGES[@]}"
  if [[ $made_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  log "packages installed"
}

# ---------------------------------------------------------------------------------------
# 2. kernel knobs
# ---------------------------------------------------------------------------------------
set_port_range() {
  local cur
  cur=$(tr -s '\t ' ' ' < /proc/sys/net/ipv4/ip_local_port_range)
  if [[ $cur == "$PORT_RANGE" ]]; then
    note "ip_local_port_range: $cur (already set)"
  elif sysctl -q -w net.ipv4.ip_local_port_range="$PORT_RANGE" 2>/dev/null; then
    note "ip_local_port_range: set to $PORT_RANGE (was $cur)"
    PORT_RANGE_CHANGED=1
  else
    cur=$(tr -s '\t ' ' ' < /proc/sys/net/ipv4/ip_local_port_range)
    note "ip_local_port_range: could NOT be set here; current range is $cur (docker -P uses it)"
  fi
  # Persist for reboots (harmless where sysctl.d is not applied).
  if [[ -d /etc/sysctl.d ]]; then
    printf 'net.ipv4.ip_local_port_range = %s\n' "$PORT_RANGE" > /etc/sysctl.d/60-cida-e2e.conf
  fi
}

# ---------------------------------------------------------------------------------------
# 3. docker engine
# ---------------------------------------------------------------------------------------
engine_answers() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

# Add our registry to insecure-registries in daemon.json, keeping anything else in it.
# Prints "changed" when the file was written.
configure_daemon_json() {
  mkdir -p /etc/docker
  local tmp
  tmp=$(mktemp)
  if [[ -s $DAEMON_JSON ]]; then
    jq --arg r "$REGISTRY" --arg a "$AUTH_REGISTRY" '.["insecure-registries"] = (((.["insecure-registries"] // []) + [$r, $a]) | unique)' \
      "$DAEMON_JSON" > "$tmp" || { rm -f "$tmp"; die "$DAEMON_JSON is not valid JSON"; }
  else
    jq -n --arg r "$REGISTRY" --arg a "$AUTH_REGISTRY" '{"insecure-registries": ([$r, $a] | unique)}' > "$tmp"
  fi
  if [[ -s $DAEMON_JSON ]] && cmp -s "$tmp" "$DAEMON_JSON"; then
    rm -f "$tmp"
  else
    install -m 0644 "$tmp" "$DAEMON_JSON"
    rm -f "$tmp"
    echo changed
  fi
}

pick_storage_driver() {
  if [[ -n ${CIDA_E2E_STORAGE_DRIVER:-} ]]; then echo "$CIDA_E2E_STORAGE_DRIVER"; return; fi
  # overlay2 needs the overlay module and a backing filesystem it can stack on
  # (not overlay itself, as inside a container whose / is overlayfs).
  mkdir -p /var/lib/docker
  local fstype
  fstype=$(stat -f -c %T /var/lib/docker)
  if grep -qw overlay /proc/filesystems && [[ $fstype != overlayfs && $fstype != tmpfs ]]; then
    echo overlay2
  else
    echo vfs
  fi
}

dockerd_pid() {
  local pid
  for f in "$STATE_DIR/dockerd.pid" /var/run/docker.pid; do
    [[ -s $f ]] || continue
    pid=$(<"$f")
    if [[ -d /proc/$pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
      echo "$pid"; return 0
    fi
  done
  pgrep -x dockerd | head -n1
}

start_dockerd() {
  local driver="$1" pid timeout=${CIDA_E2E_DOCKERD_TIMEOUT:-60} waited=0
  [[ -x $DOCKERD ]] || die "$DOCKERD missing (docker.io not installed?)"
  # A stale pid file from an engine that died makes dockerd refuse to start.
  if [[ -s /var/run/docker.pid ]] && ! [[ -d /proc/$(< /var/run/docker.pid) ]]; then
    rm -f /var/run/docker.pid
  fi
  local args=(--host=unix:///var/run/docker.sock)
  # Only pass --storage-driver when daemon.json does not set it (dockerd refuses both).
  if ! jq -e 'has("storage-driver")' "$DAEMON_JSON" >/dev/null 2>&1; then
    args+=(--storage-driver="$driver")
  fi
  log "starting dockerd ${args[*]} (log: $DOCKERD_LOG)"
  printf '\n==== %s setup-host.sh: %s %s\n' "$(date -Is)" "$DOCKERD" "${args[*]}" >> "$DOCKERD_LOG"
  setsid "$DOCKERD" "${args[@]}" </dev/null >>"$DOCKERD_LOG" 2>&1 &
  pid=$!
  echo "$pid" > "$STATE_DIR/dockerd.pid"
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      rm -f "$STATE_DIR/dockerd.pid"
      return 1
    fi
    if (( waited >= timeout )); then
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd (pid $pid) did not answer 'docker info' within ${timeout}s; see $DOCKERD_LOG"
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "dockerd answers (pid $pid, after ${waited}s)"
  return 0
}

ensure_engine() {
  local changed pid driver
  changed=$(configure_daemon_json)
  if engine_answers; then
    pid=$(dockerd_pid || true)
    if [[ $changed == changed ]]; then
      # insecure-registries is reloadable: SIGHUP makes dockerd re-read daemon.json.
      if [[ -n $pid ]]; then
        log "daemon.json changed; reloading running dockerd (pid $pid) with SIGHUP"
        kill -HUP "$pid"; sleep 2
      else
        log "WARNING: daemon.json changed but the running engine's pid is unknown; restart it"
      fi
    fi
    log "docker engine already answering${pid:+ (pid $pid)}"
    if [[ ${PORT_RANGE_CHANGED:-0} == 1 ]]; then
      note "NOTE: the engine was already running when the port range changed; restart it so -P uses $PORT_RANGE"
    fi
  else
    driver=$(pick_storage_driver)
    if ! start_dockerd "$driver"; then
      if [[ $driver != vfs && -z ${CIDA_E2E_STORAGE_DRIVER:-} ]]; then
        log "dockerd exited with storage driver $driver; retrying with vfs"
        start_dockerd vfs || die "dockerd failed to start; see $DOCKERD_LOG"
      else
        die "dockerd failed to start; see $DOCKERD_LOG"
      fi
    fi
  fi
  # Verify the engine really treats our registries as insecure (plain http).
  local r
  for r in "$REGISTRY" "$AUTH_REGISTRY"; do
    if ! "$DOCKER" info --format '{{json .RegistryConfig.IndexConfigs}}' | jq -e --arg r "$r" \
          '.[$r].Secure == false' >/dev/null; then
      die "engine does not list $r as an insecure registry; restart dockerd so it reads $DAEMON_JSON"
    fi
  done
  local info
  info=$("$DOCKER" info --format '{{.ServerVersion}} driver={{.Driver}} cgroup={{.CgroupDriver}}/v{{.CgroupVersion}} root={{.DockerRootDir}}')
  note "engine: docker $info (client $("$DOCKER" version --format '{{.Client.Version}}'))"
  note "engine log: $DOCKERD_LOG"
}

# ---------------------------------------------------------------------------------------
# 4. registry
# ---------------------------------------------------------------------------------------
ensure_hosts_entry() {
  local h
  for h in "$REGISTRY_HOST" "$AUTH_REGISTRY_HOST"; do
    if getent ahostsv4 "$h" 2>/dev/null | awk '{print $1}' | grep -qx 127.0.0.1; then
      continue
    fi
    log "adding $h to /etc/hosts"
    # /etc/hosts may be a bind mount: append in place, never replace the file.
    printf '127.0.0.1 %s\n' "$h" >> /etc/hosts
    getent ahostsv4 "$h" | awk '{print $1}' | grep -qx 127.0.0.1 \
      || die "$h still does not resolve to 127.0.0.1 (check /etc/nsswitch.conf)"
  done
}

registry_answers() { curl -fsS -m 5 -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; }

ensure_registry() {
  local bin
  bin=$(command -v docker-registry || true)
  [[ -n $bin ]] || die "docker-registry binary missing (docker-registry package not installed?)"
  mkdir -p "$REGISTRY_DATA"
  cat > "$REGISTRY_CONFIG.tmp" <<EOF
# written by cida-docker e2e/setup-host.sh
version: 0.1
log:
  level: info
  fields:
    service: cida-e2e-registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DATA
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
  mv "$REGISTRY_CONFIG.tmp" "$REGISTRY_CONFIG"
  if registry_answers; then
    log "registry already answering at http://$REGISTRY/v2/"
  else
    log "starting $bin serve $REGISTRY_CONFIG (log: $REGISTRY_LOG)"
    printf '\n==== %s setup-host.sh: %s serve %s\n' "$(date -Is)" "$bin" "$REGISTRY_CONFIG" >> "$REGISTRY_LOG"
    setsid "$bin" serve "$REGISTRY_CONFIG" </dev/null >>"$REGISTRY_LOG" 2>&1 &
    local pid=$! waited=0
    echo "$pid" > "$STATE_DIR/registry.pid"
    until registry_answers; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$REGISTRY_LOG" >&2 || true
        rm -f "$STATE_DIR/registry.pid"
        die "docker-registry exited; see $REGISTRY_LOG"
      fi
      (( waited < 30 )) || die "registry did not answer http://$REGISTRY/v2/ within 30s; see $REGISTRY_LOG"
      sleep 1; waited=$((waited + 1))
    done
    log "registry answers (pid $pid)"
  fi
  note "registry: http://$REGISTRY/v2/ (listening on $REGISTRY_ADDR, data $REGISTRY_DATA, log $REGISTRY_LOG)"
}

# ---------------------------------------------------------------------------------------
# 5. images (no network: docker import of a static-busybox rootfs)
# ---------------------------------------------------------------------------------------
make_rootfs() {
  local root="$1" bb
  bb=$(command -v busybox || true)
  [[ -x /bin/busybox ]] && bb=/bin/busybox
  [[ -n $bb ]] || die "busybox missing (busybox-static not installed?)"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/app,www,proc,sys,dev,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 0700 "$root/root"
  install -m 0755 "$bb" "$root/bin/busybox"
  # Let busybox place its own applet symlinks (sh, ls, id, sleep, cat, echo, nc, httpd, ...)
  # in their usual directories, pointing at /bin/busybox inside the image.
  # (This also proves the binary is static: a dynamic one cannot run in the empty chroot.)
  chroot "$root" /bin/busybox --install -s \
    || die "$bb does not run inside an empty rootfs (need busybox-static, not busybox)"
  [[ -L $root/bin/sh && -e $root/bin/sh ]] || die "busybox --install did not create /bin/sh"
  cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
admin:x:0:0:admin (uid 0 under another name):/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat > "$root/etc/group" <<'EOF'
root:x:0:
app:x:1000:
nogroup:x:65534:
EOF
  chown 1000:1000 "$root/home/app"
  printf '<!doctype html><title>cida-e2e</title><p>cida-e2e web ok</p>\n' > "$root/www/index.html"
  printf 'cida-e2e busybox image v%s\n' "$IMAGE_VERSION" > "$root/etc/cida-e2e-release"
}

image_current() {
  # Present locally with our version label, and the tag exists in the registry.
  local ref="$1" name tag v
  v=$("$DOCKER" image inspect --format '{{index .Config.Labels "org.cida-docker.e2e.version"}}' "$ref" 2>/dev/null || true)
  [[ $v == "$IMAGE_VERSION" ]] || return 1
  name=${ref#"$REGISTRY"/}; tag=${name##*:}; name=${name%:*}
  curl -fsS -m 5 -o /dev/null \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/$name/manifests/$tag" 2>/dev/null
}

import_image() {
  local ref="$1"; shift
  local root="$1"; shift
  # Deterministic-ish tar: sorted names, numeric root ownership except /home/app.
  tar -C "$root" --sort=name --numeric-owner -c . \
    | "$DOCKER" import \
        --change "LABEL org.cida-docker.e2e.version=$IMAGE_VERSION" \
        --change "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
        "$@" - "$ref" >/dev/null
  local try
  for try in 1 2 3; do
    if "$DOCKER" push -q "$ref" >/dev/null; then
      log "built and pushed $ref"
      return 0
    fi
    log "push of $ref failed (attempt $try); retrying in 3s"
    sleep 3
  done
  die "could not push $ref to http://$REGISTRY (see $REGISTRY_LOG and $DOCKERD_LOG)"
}

ensure_images() {
  local -A changes=(
    ["$REGISTRY/base/busybox:1"]="USER 1000|CMD [\"sleep\",\"3600\"]"
    ["$REGISTRY/base/busybox-root:1"]="CMD [\"sleep\",\"3600\"]"
    ["$REGISTRY/base/busybox-named-root:1"]="USER admin|CMD [\"sleep\",\"3600\"]"
    ["$REGISTRY/base/web:1"]="USER 1000|EXPOSE 8080|WORKDIR /www|CMD [\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]"
  )
  local order=("$REGISTRY/base/busybox:1" "$REGISTRY/base/busybox-root:1"
               "$REGISTRY/base/busybox-named-root:1" "$REGISTRY/base/web:1")
  local todo=() ref
  for ref in "${order[@]}"; do
    if [[ ${CIDA_E2E_REBUILD_IMAGES:-0} == 1 ]] || ! image_current "$ref"; then todo+=("$ref"); fi
  done
  if (( ${#todo[@]} )); then
    local work
    work=$(mktemp -d /tmp/cida-e2e-rootfs.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" EXIT
    make_rootfs "$work/rootfs"
    for ref in "${todo[@]}"; do
      local args=() c
      IFS='|' read -r -a parts <<<"${changes[$ref]}"
      for c in "${parts[@]}"; do args+=(--change "$c"); done
      import_image "$ref" "$work/rootfs" "${args[@]}"
    done
    rm -rf "$work"; trap - EXIT
  else
    log "images already built and pushed"
  fi
  for ref in "${order[@]}"; do
    note "image: $ref (user '$("$DOCKER" image inspect --format '{{.Config.User}}' "$ref")')"
  done
}

# ---------------------------------------------------------------------------------------
# 6. users
# ---------------------------------------------------------------------------------------
ensure_users() {
  local u
  for u in "${TEST_USERS[@]}"; do
    if ! id "$u" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/bash --user-group "$u"
      log "created user $u"
    fi
    if id -nG "$u" | tr ' ' '\n' | grep -qx docker; then
      note "WARNING: $u is in the docker group (this script never adds anyone); remove it: gpasswd -d $u docker"
    fi
  done
  note "users: ${TEST_USERS[*]} (uids $(for u in "${TEST_USERS[@]}"; do printf '%s ' "$(id -u "$u")"; done| sed 's/ $//')); none in group docker"
}

# ---------------------------------------------------------------------------------------
install_packages
set_port_range
# Before the engine starts: dockerd (Go) caches /etc/hosts for a few seconds, and a push
# right after adding the name otherwise asks the real DNS for registry.example.internal.
ensure_hosts_entry
ensure_engine
ensure_registry
ensure_images
ensure_users

log "done in $(( $(date +%s) - START_TS ))s"
echo "---- cida-e2e host summary ----"
printf '  %s\n' "${SUMMARY[@]}"
printf '  %s\n' "docker client: $DOCKER   (never /usr/bin/docker)" \
  "pid files: $STATE_DIR/{dockerd,registry}.pid (only for what this script started); stop with e2e/teardown-host.sh"
