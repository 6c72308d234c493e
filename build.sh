#!/usr/bin/env bash
# Runs the Cake build (build/). Compiles the host only when its sources changed; otherwise starts the
# compiled host directly, without `dotnet run`'s build check. Every argument goes to the host, and its
# exit code is this script's. Works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/artifacts/build-host"
stamp="$out/.sources-sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Path, modification time and size of every input of the host: any edit, addition or removal changes it.
sources="$({ cd "$root" && find build Directory.Build.props Directory.Packages.props global.json NuGet.config \
    -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' -o -name '*.config' \) \
    -not -path 'build/bin/*' -not -path 'build/obj/*' -printf '%p %T@ %s\n' 2>/dev/null || true; } | LC_ALL=C sort | cksum)"

if [[ ! -f "$out/Build.dll" || ! -f "$stamp" || "$(<"$stamp")" != "$sources" ]]; then
  echo "build.sh: compiling the build host (build/ changed)..." >&2
  # ReadyToRun (precompiled) starts every target about a third faster; it needs the runtime and crossgen2 packs
  # for this machine, so where they cannot be restored (an offline package source) the plain JIT build is used.
  case "$(uname -m)" in x86_64 | amd64) rid=linux-x64 ;; aarch64 | arm64) rid=linux-arm64 ;; *) rid= ;; esac
  # MSBuild prints a summary even at -v quiet; its output is shown only when the compile fails.
  if [[ -z $rid ]] || ! dotnet publish "$root/build/Build.csproj" -c Release -r "$rid" --self-contained false \
      -p:PublishReadyToRun=true -o "$out" --nologo -v quiet -clp:ErrorsOnly >/dev/null 2>&1; then
    if ! log="$(dotnet build "$root/build/Build.csproj" -c Release -o "$out" --nologo -v quiet -clp:ErrorsOnly 2>&1)"; then
      printf '%s\n' "$log" >&2
      echo "build.sh: compiling build/Build.csproj failed (errors above); nothing was run." >&2
      exit 1
    fi
  fi
  printf '%s' "$sources" > "$stamp"
fi

export BUILD_ROOT="$root"
exec dotnet "$out/Build.dll" "$@"
