#!/usr/bin/env bash
# SmokeTest's authentication probe against the lab: wall time of ./build.sh --target=SmokeTest --exclusive
# after one Up and Register, with the images present and both levels (executor, DinD over TLS), split into host
# start-up and each level (times from the JUnit file); median, min and max of RUNS runs (default 10, or $1).
# Needs the lab: bash tests/lab/setup.sh first. Prints the table and keeps it in benchmarks/smoketest/.out/result.txt.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
runs="${1:-$runs}"
out="$here/.out"
mkdir -p "$out"
cd "$root"
SMOKETEST_BENCH_RUNS="$runs" SMOKETEST_BENCH_OUT="$out/result.txt" \
  dotnet test tests/Lab.Tests --filter "FullyQualifiedName~Lab.SmokeTest.SmokeTestBenchmark" --logger "console;verbosity=normal" >"$out/test.log" 2>&1 \
  || { tail -40 "$out/test.log"; exit 1; }
cat "$out/result.txt"
