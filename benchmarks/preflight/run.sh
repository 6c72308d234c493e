#!/usr/bin/env bash
# Preflight's wall time against the lab (two registries, two accounts, cold helper cache), split into
# host start-up, credentials check, STS and helper; median of ROUNDS runs (default 10).
# Needs the lab (root, Docker): sudo bash tests/lab/setup.sh first. Prints the table and keeps it in
# benchmarks/preflight/.out/result.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-10}"
out="$PWD/benchmarks/preflight/.out"
mkdir -p "$out"
AWS_EC2_METADATA_DISABLED=true NO_COLOR=1 PREFLIGHT_BENCH_ROUNDS="$rounds" PREFLIGHT_BENCH_OUT="$out/result.txt" \
  dotnet test tests/Lab.Tests --filter "FullyQualifiedName~Lab.Preflight.PreflightBenchmark" --logger "console;verbosity=normal" >"$out/test.log" 2>&1 \
  || { tail -40 "$out/test.log"; exit 1; }
cat "$out/result.txt"
