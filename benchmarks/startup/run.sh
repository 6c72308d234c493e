#!/usr/bin/env bash
# Start-up benchmark: median of N warm runs of the ways to start the build.
#   ./build.sh --tree                         this project's bootstrap (the ReadyToRun host started directly)
#   jit: dotnet Build.dll --tree              the same host compiled without ReadyToRun (what build.sh falls back to)
#   ./build.sh --target=Status                a target that reads the state folder and asks Docker (ReadyToRun)
#   jit: dotnet Build.dll --target=Status     the same, JIT
#   dotnet run --project build -- --tree      the usual Cake.Frosting bootstrap
#   dotnet cake build.cake --tree             Cake's script runner (Cake.Tool 7.0.0, local tool) on the
#                                             same 8-task graph (build.cake beside this script)
# Runs are interleaved so that machine noise hits all alike. Output goes to /dev/null.
# Targets: ./build.sh --tree median <= 0.4 s and >= 3x faster than dotnet run, and ReadyToRun no slower than JIT
# for --tree and Status. Exit 1 when missed.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"

(cd "$here" && dotnet tool restore >/dev/null)
jit="$here/.out/jit"
dotnet build "$root/build/Build.csproj" -c Release -o "$jit" --nologo -v quiet -clp:ErrorsOnly >/dev/null
export BUILD_ROOT="$root"
declare -A cmd=(
  [build.sh]="$root/build.sh --tree"
  [jit-tree]="dotnet $jit/Build.dll --tree"
  [status]="$root/build.sh --target=Status"
  [jit-status]="dotnet $jit/Build.dll --target=Status"
  [dotnet-run]="dotnet run --project $root/build -- --tree"
  [dotnet-cake]="dotnet cake $here/build.cake --tree"
)
order=(build.sh jit-tree status jit-status dotnet-run dotnet-cake)

# Warm-up: compiles the host for build.sh, builds build/ for dotnet run, compiles the script cache.
for name in "${order[@]}"; do (cd "$here" && ${cmd[$name]} >/dev/null 2>&1) || { echo "warm-up of $name failed" >&2; exit 1; }; done

declare -A times
for ((i = 0; i < runs; i++)); do
  for name in "${order[@]}"; do
    start=$(date +%s%N)
    (cd "$here" && ${cmd[$name]} >/dev/null 2>&1)
    times[$name]+="$(( ($(date +%s%N) - start) / 1000000 )) "
  done
done

echo "| bootstrap | median of $runs warm runs (ms) | all runs (ms) |"
echo "|---|---|---|"
for name in "${order[@]}"; do
  declare "m_${name//[.-]/_}=$(median "${times[$name]}")"
  m="m_${name//[.-]/_}"
  echo "| ${cmd[$name]/$root\//} | ${!m} | ${times[$name]}|"
done
ratio=$(awk -v a="$m_dotnet_run" -v b="$m_build_sh" 'BEGIN {printf "%.1f", a / b}')
echo
echo "build.sh --tree: ${m_build_sh} ms (target <= 400 ms); dotnet run is ${ratio}x slower (target >= 3x)"
echo "ReadyToRun against JIT: --tree ${m_build_sh} ms vs ${m_jit_tree} ms, Status ${m_status} ms vs ${m_jit_status} ms (target: no slower)"
(( m_build_sh <= 400 && m_build_sh <= m_jit_tree && m_status <= m_jit_status )) && awk -v r="$ratio" 'BEGIN {exit !(r >= 3)}'
