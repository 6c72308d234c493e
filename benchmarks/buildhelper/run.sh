#!/usr/bin/env bash
# BuildHelper benchmark, in the lab (tests/lab/setup.sh must have run):
#   1. cold build: ./build.sh --target=BuildHelper of the real helper (the upstream 0.8.0 source archive the lab
#      tests use: LAB_HELPER_ARCHIVE, else shared/helper-src/ beside the repository; HELPER_SOURCE=archive) for
#      linux/amd64 and linux/arm64 with the lab's Go image and an empty Go cache volume; per-platform times as
#      build-helper.sh reports them
#   2. warm: median of N interleaved runs of ./build.sh --target=BuildHelper (manifest matches: skip) and
#      ./build.sh --tree (bare host start), output to /dev/null
#   3. binary sizes, from the manifest
# Target: the warm BuildHelper adds at most 300 ms over --tree. Exit 1 when missed. Cleans up its state
# folder and its Go cache volume.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"

go_image="$(lab_image LAB_IMAGE_GO)"
archive="${LAB_HELPER_ARCHIVE:-$(cd "$root/.." && pwd)/shared/helper-src/amazon-ecr-credential-helper-0.8.0.tar.gz}"
[[ "$archive" == /* ]] || archive="$root/$archive"
[[ -f "$archive" ]] || { echo "$archive is missing: see docs/lab.md (the helper's source archive)" >&2; exit 1; }

state="$(mktemp -d /tmp/bench-buildhelper.XXXXXX)"
project="bench-buildhelper-$$"
cleanup() { rm -rf "$state"; docker volume rm "$project-helper-go-cache" >/dev/null 2>&1 || true; }
trap cleanup EXIT

export STATE_DIR="$state" COMPOSE_PROJECT_NAME="$project" HELPER_SOURCE=archive HELPER_ARCHIVE="$archive" \
  HELPER_VERSION=0.8.0 HELPER_PLATFORMS=linux/amd64,linux/arm64 HELPER_GO_IMAGE="$go_image"

"$root/build.sh" --tree >/dev/null 2>&1 # compiles the host when build/ changed, outside the timings
start=$(date +%s%N)
log="$("$root/build.sh" --target=BuildHelper --verbosity=verbose 2>&1)" || { printf '%s\n' "$log" >&2; exit 1; }
cold=$(( ($(date +%s%N) - start) / 1000000 ))

declare -A times
for ((i = 0; i < runs; i++)); do
  for name in tree buildhelper; do
    args=(--tree); [[ $name == buildhelper ]] && args=(--target=BuildHelper)
    start=$(date +%s%N)
    "$root/build.sh" "${args[@]}" >/dev/null 2>&1 || { echo "./build.sh ${args[*]} failed" >&2; exit 1; }
    times[$name]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done
"$root/build.sh" --target=BuildHelper 2>&1 | grep -q "Skipping task BuildHelper: helper 0.8.0 linux/amd64,linux/arm64 up to date" ||
  { echo "the warm run did not skip" >&2; exit 1; }

tree=$(median "${times[tree]}")
warm=$(median "${times[buildhelper]}")

echo "| what | time |"
echo "|---|---|"
echo "| cold ./build.sh --target=BuildHelper, both platforms, empty Go cache (wall) | ${cold} ms |"
grep -o 'build-helper.sh: built linux/[a-z0-9]* in [0-9]* s' <<<"$log" | sed 's/build-helper.sh: built \(.*\) in \(.*\) s/| cold go build of \1 in the container | \2 s |/'
echo "| warm ./build.sh --tree, median of $runs (${times[tree]}) | ${tree} ms |"
echo "| warm ./build.sh --target=BuildHelper (skip), median of $runs (${times[buildhelper]}) | ${warm} ms |"
echo
echo "| platform | size (bytes) | sha256 |"
echo "|---|---|---|"
python3 - "$state/helper/manifest.json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["binaries"]:
    print(f"| {b['platform']} | {b['size']} | {b['sha256']} |")
PY
echo
echo "warm BuildHelper adds $((warm - tree)) ms over --tree (target <= 300 ms)"
(( warm - tree <= 300 ))
