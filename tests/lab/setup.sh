#!/usr/bin/env bash
# Prepares this machine for the integration tests: Debian packages, a running Docker daemon, the
# stand-in images (built locally, never pulled) and tests/lab/.out/images.env for the test fixture.
# LAB_PRUNE=0 keeps the images of other recipes (other checkouts sharing the daemon) instead of removing them.
# Idempotent: a warm run calls no apt and builds nothing. Needs root. See tests/lab/README.md.
TAG=lab-setup
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$LAB/images.sh"

PACKAGES=(docker.io docker-compose docker-registry skopeo amazon-ecr-credential-helper debootstrap
  musl busybox-static golang-go apache2-utils openssl iproute2 iptables file curl ca-certificates
  tar coreutils util-linux socat openssh-server)
HELPER=/usr/bin/docker-credential-ecr-login

install_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then note "all ${#PACKAGES[@]} present, apt not called"; return; fi
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -q
  run apt-get install -y -q --no-install-recommends "${missing[@]}"
  note "installed ${missing[*]}"
}

alive() { local s; s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [[ $s != Z ]]; }
is_dockerd() { [[ $1 =~ ^[0-9]+$ ]] && alive "$1" && [[ $(cat "/proc/$1/comm" 2>/dev/null) == dockerd ]]; }

# wait_dockerd PID [LOG_LINE]: waits up to 60 s for the daemon to answer and sets DOCKER_API; stops early
# when PID dies. On failure shows the daemon log from line LOG_LINE on.
wait_dockerd() {
  local i
  for ((i = 0; i < 120; i++)); do
    DOCKER_API=$(docker_api) && return 0
    alive "$1" || break
    sleep 0.5
  done
  { echo "--- ${DOCKERD_LOG#"$LAB"/} since this start (last 15 lines):"
    tail -n "+${2:-1}" "$DOCKERD_LOG" 2>/dev/null | tail -n 15; } >&2
  alive "$1" && fail "dockerd (pid $1) did not answer 'docker version' within 60 s; see $DOCKERD_LOG"
  fail "dockerd (pid $1) exited before answering; see $DOCKERD_LOG"
}

start_dockerd() {
  local pid='' from
  if DOCKER_API=$(docker_api); then
    if [[ -f $DOCKERD_MARKER ]] && ! is_dockerd "$(cat "$DOCKERD_MARKER")"; then rm -f "$DOCKERD_MARKER"; fi
    if [[ -f $DOCKERD_MARKER ]]; then
      note "running, started by the lab (pid $(cat "$DOCKERD_MARKER"))"
    else
      note "running (not started by the lab)"
    fi
    return
  fi
  if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != unix:///var/run/docker.sock ]]; then
    fail "DOCKER_HOST=$DOCKER_HOST does not answer; setup.sh only starts a local daemon on /var/run/docker.sock"
  fi
  rm -f "$DOCKERD_MARKER"
  pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
  if is_dockerd "$pid"; then           # someone else's daemon is still starting
    wait_dockerd "$pid"
    note "waited for dockerd pid $pid (not started by the lab)"
    return
  fi
  command -v dockerd >/dev/null || fail "dockerd not found (package docker.io)"
  echo "=== $(date -Is) started by tests/lab/setup.sh" >>"$DOCKERD_LOG"
  from=$(wc -l <"$DOCKERD_LOG")
  # setsid + closed fds: the daemon outlives this script and must not hold its lock (fd 9).
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 3>&- 4>&- 9>&- &
  pid=$!
  wait_dockerd "$pid" "$from"
  is_dockerd "$(cat "$DOCKERD_PIDFILE" 2>/dev/null)" && pid=$(cat "$DOCKERD_PIDFILE")
  echo "$pid" >"$DOCKERD_MARKER"
  note "started pid $pid, log ${DOCKERD_LOG#"$LAB"/}"
}

write_env() {
  local name var
  [[ -x $HELPER ]] || fail "$HELPER missing (package amazon-ecr-credential-helper)"
  {
    for name in dind docker-cli runner-host musl go registry hello gitlab-standin; do
      var=${name//-/_}
      echo "LAB_IMAGE_${var^^}=${REF[$name]}"
    done
    echo "LAB_HELPER=$HELPER"
    echo "LAB_DOCKER_API=$DOCKER_API"
  } >"$OUT/images.env.part"
  mv "$OUT/images.env.part" "$OUT/images.env"
  note "${OUT#"$LAB"/}/images.env"
}

# Removes ecrlab images of the same names whose tag is not the current recipe hash, then dangling ones.
prune_images() {
  local name tag removed=0 kept=0
  # LAB_PRUNE=0 keeps them: other checkouts of the repository sharing this daemon may still use their own tags.
  if [[ ${LAB_PRUNE:-1} == 0 ]]; then note "kept other recipes' tags (LAB_PRUNE=0)"; return; fi
  for name in "${IMAGES[@]}"; do
    for tag in $(docker images --filter label=ecrlab=1 --format '{{.Tag}}' "ecrlab/$name"); do
      [[ $tag == "${HASH[$name]}" ]] && continue
      if docker rmi "ecrlab/$name:$tag" >/dev/null; then removed=$((removed + 1)); else kept=$((kept + 1)); fi
    done
  done
  docker image prune -f --filter label=ecrlab=1 >/dev/null
  note "removed $removed old tag(s)"
  ((kept == 0)) || note "kept $kept still in use"
}

main() {
  local t0
  t0=$(now_ms)
  [[ $(id -u) == 0 ]] || { STEP=preflight; fail "run as root (apt, dockerd and debootstrap need it)"; }
  mkdir -p /run/lock
  exec 9>/run/lock/ecrlab-setup.lock
  STEP=lock
  flock -w 900 9 || fail "another tests/lab setup/teardown held /run/lock/ecrlab-setup.lock for 15 min"
  step packages install_packages
  step dockerd start_dockerd
  docker rm -fv "$BUILD_CTR" >/dev/null 2>&1 || true
  local name
  for name in "${IMAGES[@]}"; do step "image $name" ensure_image "$name"; done
  step images.env write_env
  step prune prune_images
  say "done in $(secs_since "$t0")"
}

main "$@"
