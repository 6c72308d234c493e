# Shared by the benchmark scripts: strict mode, the repository root, RUNS, a quiet .NET, no instance-metadata
# lookups, lab image names and a median. Source it from benchmarks/<name>/run.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-10}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true

# lab_image KEY: an image the lab built (tests/lab/.out/images.env), e.g. lab_image LAB_IMAGE_GO.
lab_image() {
  local images="$root/tests/lab/.out/images.env"
  [[ -f "$images" ]] || { echo "$images is missing: run tests/lab/setup.sh first" >&2; exit 1; }
  sed -n "s/^$1=//p" "$images"
}

# median "t1 t2 ...": the median of whole numbers.
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
