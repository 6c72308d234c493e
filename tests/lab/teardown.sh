#!/usr/bin/env bash
# Undoes what the lab leaves running: containers, networks and volumes labelled ecrlab.run, and those of
# docker compose projects a run named ecrlab-<run>-... (leftovers of killed test runs), and the Docker daemon if tests/lab/setup.sh started it. Keeps the images
# unless --images is given, and the debootstrap cache unless --cache is given.
# Resources also labelled ecrlab.pid=<pid> of a live process belong to a running test and are kept,
# and a daemon that still runs containers is not stopped, unless --force is given.
#   --leftovers   only remove leftovers (the lab fixture runs this at its start)
#   --run=ID      only the resources of run ID, its owner alive or not (the fixture's own clean-up)
# /etc/hosts lines and /etc/docker/certs.d folders of a run are the test fixture's to remove (HostsFile,
# DockerCertsDirectory in tests/Lab.Tests/Fixtures/Docker), by the same rule: kept while their pid is alive.
TAG=lab-teardown
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { echo "usage: $0 [--images] [--cache] [--force] | --leftovers [--run=ID]" >&2; exit 2; }
RM_IMAGES=0 RM_CACHE=0 FORCE=0 ONLY_LEFTOVERS=0 RUN_ID=
for arg; do
  case $arg in
    --images) RM_IMAGES=1 ;;
    --cache) RM_CACHE=1 ;;
    --force) FORCE=1 ;;
    --leftovers) ONLY_LEFTOVERS=1 ;;
    --run=ecrlab-*) RUN_ID=${arg#--run=}; FORCE=1 ;;
    *) usage ;;
  esac
done
[[ -z $RUN_ID ]] || ((ONLY_LEFTOVERS)) || usage

# orphans KIND [LS-FLAG] ID-FIELD LABELS-FIELD: sets ORPHANS to the ecrlab.run resources of KIND
# (container, network, volume), leaving out those whose ecrlab.pid names a live process (unless --force).
orphans() {
  local id pid
  ORPHANS=()
  while read -r id pid; do
    [[ -n $id ]] || continue
    if ((FORCE == 0)) && [[ $pid =~ ^[0-9]+$ ]] && [[ -e /proc/$pid ]]; then KEPT=$((KEPT + 1)); continue; fi
    ORPHANS+=("$id")
  done < <(docker "$1" ls -q --filter "label=ecrlab.run${RUN_ID:+=$RUN_ID}" ${2:+"$2"} |
    xargs -r docker "$1" inspect -f "{{.$3}} {{index .$4 \"ecrlab.pid\"}}")
}

# live_runs: sets LIVE to the runs a live process still owns (an ecrlab.run resource whose ecrlab.pid runs).
live_runs() {
  local run pid
  LIVE=()
  while read -r run pid; do
    if [[ $pid =~ ^[0-9]+$ && -e /proc/$pid ]]; then LIVE[$run]=1; fi
  done < <({
    docker container ls -aq --filter label=ecrlab.run | xargs -r docker container inspect -f '{{index .Config.Labels "ecrlab.run"}} {{index .Config.Labels "ecrlab.pid"}}'
    docker network ls -q --filter label=ecrlab.run | xargs -r docker network inspect -f '{{index .Labels "ecrlab.run"}} {{index .Labels "ecrlab.pid"}}'
    docker volume ls -q --filter label=ecrlab.run | xargs -r docker volume inspect -f '{{index .Labels "ecrlab.run"}} {{index .Labels "ecrlab.pid"}}'
  })
}

# compose_orphans KIND [LS-FLAG] ID-FIELD LABELS-FIELD: adds to ORPHANS the resources docker compose made for
# a project a lab run named (ecrlab-<8 hex>-...). Compose does not copy the run's labels onto them, and a
# daemon restarted after a killed run starts their containers again (restart policies), which keeps the
# run's network busy; so they go with their run: when its owner is dead, or with --run=ID.
compose_orphans() {
  local id project run
  while read -r id project; do
    [[ $project =~ ^(ecrlab-[0-9a-f]{8})- ]] || continue
    run=${BASH_REMATCH[1]}
    if [[ -n $RUN_ID ]]; then
      [[ $run == "$RUN_ID" ]] || continue
    elif ((FORCE == 0)) && [[ -n ${LIVE[$run]:-} ]]; then
      KEPT=$((KEPT + 1))
      continue
    fi
    ORPHANS+=("$id")
  done < <(docker "$1" ls -q --filter label=com.docker.compose.project ${2:+"$2"} |
    xargs -r docker "$1" inspect -f "{{.$3}} {{index .$4 \"com.docker.compose.project\"}}")
}

# unique: ORPHANS without repeats (a resource can be both labelled and made by compose).
unique() { ((${#ORPHANS[@]} == 0)) || mapfile -t ORPHANS < <(printf '%s\n' "${ORPHANS[@]}" | sort -u); }

remove_leftovers() {
  KEPT=0
  if ! docker_api >/dev/null; then note "no daemon answers, nothing to remove"; return; fi
  [[ -n $RUN_ID ]] || docker rm -fv "$BUILD_CTR" >/dev/null 2>&1 || true
  declare -gA LIVE
  live_runs
  orphans container -a Id Config.Labels
  compose_orphans container -a Id Config.Labels
  unique
  ((${#ORPHANS[@]} == 0)) || run docker rm -fv "${ORPHANS[@]}" >/dev/null
  note "${#ORPHANS[@]} container(s)"
  orphans network '' Id Labels
  compose_orphans network '' Id Labels
  unique
  ((${#ORPHANS[@]} == 0)) || run docker network rm "${ORPHANS[@]}" >/dev/null
  note "${#ORPHANS[@]} network(s)"
  orphans volume '' Name Labels
  compose_orphans volume '' Name Labels
  unique
  ((${#ORPHANS[@]} == 0)) || run docker volume rm -f "${ORPHANS[@]}" >/dev/null
  note "${#ORPHANS[@]} volume(s)"
  ((KEPT == 0)) || note "kept $KEPT of running tests (ecrlab.pid alive; --force removes them)"
}

remove_images() {
  local ids=()
  if ! docker_api >/dev/null; then fail "no Docker daemon answers: cannot remove images"; fi
  # By reference, not id: dind and runner-host are committed on top of docker-cli, and an id with
  # dependent child images cannot be removed; untagging every reference removes all of them.
  mapfile -t ids < <(docker images --filter label=ecrlab=1 --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | sort -u)
  ((${#ids[@]} == 0)) || run docker rmi "${ids[@]}" >/dev/null
  docker image prune -f --filter label=ecrlab=1 >/dev/null
  note "${#ids[@]} image(s)"
  rm -f "$OUT/images.env"
}

remove_cache() {
  local volumes=()
  rm -rf --one-file-system "$CACHE" "$OUT/work" "$OUT/helper"
  # The Go caches of the lab's BuildHelper runs (projects ecrlab-helper*) and the real helper they built.
  if docker_api >/dev/null; then
    mapfile -t volumes < <(docker volume ls -q --filter label=gitlab-runner-ecr.role=helper-go-cache | grep '^ecrlab-helper' || true)
    ((${#volumes[@]} == 0)) || run docker volume rm "${volumes[@]}" >/dev/null
  fi
  note "removed ${CACHE#"$LAB"/}, the lab helper and ${#volumes[@]} Go cache volume(s)"
}

stop_dockerd() {
  local pid i n
  if [[ ! -f $DOCKERD_MARKER ]]; then note "not started by the lab: left running"; return; fi
  pid=$(cat "$DOCKERD_MARKER")
  if ! [[ $pid =~ ^[0-9]+$ ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
    rm -f "$DOCKERD_MARKER"
    note "pid $pid from the marker is not a dockerd any more: marker removed"
    return
  fi
  n=$(docker ps -q 2>/dev/null | wc -l)
  if ((n > 0 && FORCE == 0)); then
    note "left running: $n container(s) still run (docker ps); --force stops it anyway"
    return
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    [[ -e /proc/$pid ]] || break
    [[ $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
    sleep 0.5
  done
  if [[ -e /proc/$pid && $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
    { echo "--- last lines of ${DOCKERD_LOG#"$LAB"/}:"; tail -n 20 "$DOCKERD_LOG"; } >&2
    fail "dockerd (pid $pid) still runs 30 s after SIGTERM; marker kept, stop it by hand: kill $pid"
  fi
  rm -f "$DOCKERD_MARKER"
  note "stopped pid $pid"
}

main() {
  local t0
  t0=$(now_ms)
  mkdir -p /run/lock
  exec 9>/run/lock/ecrlab-setup.lock
  STEP=lock
  flock -w 900 9 || fail "another tests/lab setup/teardown held /run/lock/ecrlab-setup.lock for 15 min"
  step leftovers remove_leftovers
  if ((ONLY_LEFTOVERS)); then return; fi
  ((RM_IMAGES == 0)) || step images remove_images
  ((RM_CACHE == 0)) || step cache remove_cache
  step dockerd stop_dockerd
  say "done in $(secs_since "$t0")"
}

main
