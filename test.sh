#!/usr/bin/env bash
# Runs the whole test suite and prints "N passed, N failed[, N skipped]" as its last line.
#   ./test.sh           lab set-up (Debian packages, Docker daemon, stand-in images) and pwsh (for
#                       build.ps1), then unit and integration tests, then lab teardown (stops dockerd
#                       only if the lab started it)
#   ./test.sh --unit    unit tests only: no root, no Docker, no lab
# Extra arguments go to `dotnet test` (for example --filter "FullyQualifiedName~Settings").
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true
# pwsh (build.ps1's tests) reports its start to Application Insights and checks for updates unless told not to.
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off

unit_only=0
if [[ "${1:-}" == "--unit" ]]; then unit_only=1; shift; fi

# Benchmarks (Category=Benchmark) run only from benchmarks/*/run.sh: their time targets are not tests. A --filter
# given to this script is combined with that (and with Category!=Integration for --unit).
keep="Category!=Benchmark"
if (( unit_only )); then keep+="&Category!=Integration"; fi
args=()
while (($#)); do
  if [[ $1 == --filter && $# -ge 2 ]]; then keep="($2)&$keep"; shift 2; else args+=("$1"); shift; fi
done
set -- "${args[@]}"
filter=(--filter "$keep")
if (( ! unit_only )); then
  if ! bash tests/lab/setup.sh; then
    echo "test.sh: the lab could not be set up (see above); integration tests cannot run." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  # build.ps1 is tested with PowerShell's .NET global tool when no pwsh is installed.
  if ! command -v pwsh >/dev/null && [[ ! -x artifacts/tools/pwsh ]]; then
    dotnet tool install --tool-path artifacts/tools PowerShell --version 7.6.9 >/dev/null \
      || echo "test.sh: installing pwsh failed; the build.ps1 test will fail" >&2
  fi
fi

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
status=0
if dotnet build RunnerEcr.slnx --nologo -v quiet -clp:ErrorsOnly; then
  # The two assemblies run side by side: the lab waits mostly on Docker, the unit tests mostly on the CPU. The unit
  # tests' console output is shown when they are done, so the two logs do not interleave.
  run_tests() { dotnet test "tests/$1" --no-build --nologo "${filter[@]}" --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "${@:2}"; }
  run_tests Build.Tests "$@" >"$results/Build.Tests.log" 2>&1 &
  unit=$!
  run_tests Lab.Tests "$@" || status=$?
  wait "$unit" || status=$?
  cat "$results/Build.Tests.log"
else
  status=1
fi

if (( ! unit_only )); then
  bash tests/lab/teardown.sh || echo "test.sh: lab teardown reported a problem (see above)" >&2
fi

count() { cat "$results"/*.trx 2>/dev/null | grep -o "<UnitTestResult [^>]*outcome=\"$1\"" | wc -l; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count NotExecuted)
if (( status != 0 && failed == 0 )); then failed=1; echo "test.sh: dotnet test exited with $status before reporting a failed test (build error?)" >&2; fi
if (( passed + failed == 0 )); then echo "test.sh: no test ran" >&2; status=1; fi
summary="$passed passed, $failed failed"
(( skipped > 0 )) && summary+=", $skipped skipped"
echo "$summary"
(( status == 0 && failed == 0 ))
