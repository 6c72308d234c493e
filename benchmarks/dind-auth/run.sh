#!/usr/bin/env bash
# Per-job DinD authentication, token mode (docker reads the refresher's config.json: no helper, no AWS call) against
# helper mode (credHelpers: the helper in the job asks ECR), side by side in one run against the lab: docker pull of an
# image the DinD daemon already has, in a fresh job container per sample (the musl job image, the lab's DinD and
# registry, the job settings Register writes for each mode), interleaved; median, min and max of RUNS runs each
# (default 10, or $1), and the ECR calls each job made. Exits non-zero when token mode is slower or calls ECR.
# Needs the lab: bash tests/lab/setup.sh first. Prints the table and keeps it in benchmarks/dind-auth/.out/result.txt.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
runs="${1:-$runs}"
out="$here/.out"
mkdir -p "$out"
cd "$root"
DIND_AUTH_BENCH_RUNS="$runs" DIND_AUTH_BENCH_OUT="$out/result.txt" \
  dotnet test tests/Lab.Tests --filter "FullyQualifiedName~Lab.SmokeTest.DindAuthBenchmark" --logger "console;verbosity=normal" >"$out/test.log" 2>&1 \
  || { tail -40 "$out/test.log"; exit 1; }
cat "$out/result.txt"
