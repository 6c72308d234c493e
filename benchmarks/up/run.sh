#!/usr/bin/env bash
# Up benchmark (tests/lab/setup.sh must have run: it uses the lab's runner-host image):
#   1. one real Up (--exclusive: the helper is a static binary given by path, the credentials file a stand-in),
#   2. median of N interleaved runs of the no-op ./build.sh --target=Up --exclusive (everything already up) and of
#      a bare `docker-compose up -d` (or `docker compose up -d`) on the same files and values,
#   3. the external processes one no-op Up starts, counted by wrappers of docker and docker-compose first on PATH.
# Targets: no-op Up / bare compose up at most 1.5; at most 4 processes. Exit 1 when missed. Removes what it made.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"

runner_image="$(lab_image LAB_IMAGE_RUNNER_HOST)"

work="$(mktemp -d /tmp/bench-up.XXXXXX)"
project="bench-up-$$"
cleanup() {
  [[ -x "$work/state/compose/compose" ]] && "$work/state/compose/compose" down --volumes >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

printf '[default]\naws_access_key_id = AKIDBENCHMARK0000000\naws_secret_access_key = not-a-real-secret\nregion = eu-west-1\n' > "$work/credentials"
chmod 600 "$work/credentials"
# DIND_AUTH=helper: the helper here is a stand-in and there is no AWS to ask, so the token refresher's first refresh
# could not succeed; a no-op Up asks Docker the same two questions in token mode (both containers in one docker ps).
export STATE_DIR="$work/state" COMPOSE_PROJECT_NAME="$project" GITLAB_RUNNER_IMAGE="$runner_image" IMAGE_PULL=never \
  HELPER_SOURCE=path HELPER_PATH=/bin/busybox HELPER_PLATFORMS=linux/amd64 RUNNER_CREDENTIALS_FILE="$work/credentials" \
  CREDENTIALS_SOURCE=file AWS_CA_BUNDLE= DIND_AUTH=helper

"$root/build.sh" --target=BuildHelper --exclusive >/dev/null
"$root/build.sh" --target=Up --exclusive >/dev/null || { "$root/build.sh" --target=Up --exclusive; exit 1; }
compose_cmd=(docker-compose); grep -q '^exec docker compose' "$work/state/compose/compose" && compose_cmd=(docker compose)

declare -A times
for ((i = 0; i < runs; i++)); do
  for name in up compose; do
    start=$(date +%s%N)
    if [[ $name == up ]]; then
      "$root/build.sh" --target=Up --exclusive >/dev/null 2>&1 || { echo "no-op Up failed" >&2; exit 1; }
    else
      "$work/state/compose/compose" up -d >/dev/null 2>&1 || { echo "bare compose up -d failed" >&2; exit 1; }
    fi
    times[$name]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done
"$root/build.sh" --target=Up --exclusive 2>&1 | grep -q "Skipping task Up: runner container" || { echo "the no-op Up did not skip" >&2; exit 1; }

# Count what one no-op Up starts: wrappers log each call, then run the real tool.
mkdir -p "$work/bin"
for tool in docker docker-compose; do
  real="$(command -v "$tool" || true)"
  [[ -n "$real" ]] || continue
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexec "%s" "$@"\n' "$tool" "$work" "$real" > "$work/bin/$tool"
  chmod +x "$work/bin/$tool"
done
PATH="$work/bin:$PATH" "$root/build.sh" --target=Up --exclusive >/dev/null
processes=$(wc -l < "$work/calls")

up=$(median "${times[up]}")
bare=$(median "${times[compose]}")
ratio=$(awk -v a="$up" -v b="$bare" 'BEGIN {printf "%.2f", a / b}')

echo "| what | time |"
echo "|---|---|"
echo "| no-op ./build.sh --target=Up --exclusive, median of $runs (${times[up]}) | ${up} ms |"
echo "| bare ${compose_cmd[*]} up -d on the same files, median of $runs (${times[compose]}) | ${bare} ms |"
echo "| ratio | ${ratio} |"
echo "| external processes of one no-op Up | ${processes}: $(tr '\n' ';' < "$work/calls") |"
awk -v r="$ratio" 'BEGIN {exit !(r <= 1.5)}' || { echo "no-op Up is over 1.5x a bare compose up" >&2; exit 1; }
(( processes <= 4 )) || { echo "no-op Up started more than 4 processes" >&2; exit 1; }
