# Shared by setup.sh and teardown.sh: paths, timed steps, and failure reports that name the
# step, the command and its stderr. Source it; it sets `set -eEuo pipefail`.
# shellcheck disable=SC2034  # the paths are used by the scripts that source this file
set -eEuo pipefail

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$LAB/.out
LOGS=$OUT/logs
CACHE=$OUT/cache
DOCKERD_MARKER=$OUT/dockerd.started-by-lab
DOCKERD_LOG=$OUT/dockerd.log
DOCKERD_PIDFILE=/var/run/docker.pid
BUILD_CTR=ecrlab-setup-build   # temporary container of setup's image builds; leftovers are removed
mkdir -p "$LOGS" "$CACHE"

TAG=${TAG:-lab}
STEP=start
STEP_ERR=/dev/null
STEP_NOTE=
RUN_CMD=
FAIL_MSG=
FAIL_FLAG=$OUT/.failed.$$
rm -f "$FAIL_FLAG"

exec 3>&2 4>&1   # 3: the caller's stderr (failure reports), 4: the caller's stdout (step lines)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%01ds' $(( d / 1000 )) $(( d % 1000 / 100 )); }
say() { printf '[%s] %s\n' "$TAG" "$*" >&4; }
note() { STEP_NOTE=${STEP_NOTE:+$STEP_NOTE; }$*; }

# run CMD...: runs CMD and makes a failure report show it with its arguments expanded.
run() { RUN_CMD=${*@Q}; "$@"; }

on_err() {
  local rc=$? statuses="${PIPESTATUS[*]}" cmd=$BASH_COMMAND
  [[ $cmd == '"$@"' ]] && cmd=$RUN_CMD
  [[ $statuses == *' '* ]] && cmd="$cmd  (last of a pipeline; exit statuses: $statuses)"
  if [[ ! -e $FAIL_FLAG ]]; then
    : >"$FAIL_FLAG"
    {
      printf '[%s] FAILED in step "%s": exit %s\n' "$TAG" "$STEP" "$rc"
      if [[ -n $FAIL_MSG ]]; then printf '  reason: %s\n' "$FAIL_MSG"; else printf '  command: %s\n' "$cmd"; fi
      if [[ -s $STEP_ERR ]]; then
        printf '  stderr (last 20 lines of %s):\n' "${STEP_ERR#"$LAB"/}"
        tail -n 20 "$STEP_ERR" | sed 's/^/    /'
      else
        printf '  stderr: (empty)\n'
      fi
    } >&3
  fi
  exit "$rc"
}
trap on_err ERR
trap 'rm -f "$FAIL_FLAG"' EXIT

# step NAME CMD...: runs CMD with stdout/stderr in .out/logs/NAME.{log,err}, then prints one timed line.
step() {
  local name=$1 t0; shift
  t0=$(now_ms)
  STEP=$name STEP_NOTE='' RUN_CMD=${*@Q}
  STEP_ERR=$LOGS/${name// /-}.err
  : >"$STEP_ERR"
  "$@" >>"$LOGS/${name// /-}.log" 2>>"$STEP_ERR"
  printf '[%s] %-20s %7s  %s\n' "$TAG" "$name" "$(secs_since "$t0")" "$STEP_NOTE" >&4
}

# fail MESSAGE: stops the current step with a reason of ours instead of a failing command.
fail() { FAIL_MSG=$*; return 1; }

# Prints the daemon's API version when a Docker daemon answers, else fails quietly.
docker_api() { timeout 10 docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }
