#!/usr/bin/env pwsh
# Runs the Cake build (build/). Compiles the host only when its sources changed; otherwise starts the
# compiled host directly. Every argument goes to the host, and its exit code is this script's.
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root 'artifacts/build-host'
$stamp = Join-Path $out '.sources-ps1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'; $env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

$inputs = @('build', 'Directory.Build.props', 'Directory.Packages.props', 'global.json', 'NuGet.config') |
    ForEach-Object { Join-Path $root $_ } | Where-Object { Test-Path $_ } |
    ForEach-Object { Get-ChildItem -Path $_ -Recurse -File -Include *.cs, *.csproj, *.props, *.targets, *.json, *.config -ErrorAction SilentlyContinue } |
    Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
    Sort-Object FullName |
    ForEach-Object { "$($_.FullName) $($_.LastWriteTimeUtc.Ticks) $($_.Length)" }
$sources = [System.BitConverter]::ToString(
    [System.Security.Cryptography.SHA256]::Create().ComputeHash([System.Text.Encoding]::UTF8.GetBytes(($inputs -join "`n"))))

if (-not (Test-Path (Join-Path $out 'Build.dll')) -or -not (Test-Path $stamp) -or (Get-Content -Raw $stamp) -ne $sources) {
    [Console]::Error.WriteLine('build.ps1: compiling the build host (build/ changed)...')
    # ReadyToRun (precompiled) starts every target about a third faster; it needs the runtime and crossgen2 packs
    # for this machine, so where they cannot be restored (an offline package source) the plain JIT build is used.
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    & dotnet publish (Join-Path $root 'build/Build.csproj') -c Release -r $rid --self-contained false `
        -p:PublishReadyToRun=true -o $out --nologo -v quiet -clp:ErrorsOnly *> $null
    $log = $null
    # MSBuild prints a summary even at -v quiet; its output is shown only when the compile fails.
    if ($LASTEXITCODE -ne 0) { $log = & dotnet build (Join-Path $root 'build/Build.csproj') -c Release -o $out --nologo -v quiet -clp:ErrorsOnly 2>&1 }
    if ($LASTEXITCODE -ne 0) {
        $log | ForEach-Object { [Console]::Error.WriteLine($_) }
        [Console]::Error.WriteLine('build.ps1: compiling build/Build.csproj failed (errors above); nothing was run.')
        exit 1
    }
    Set-Content -NoNewline -Path $stamp -Value $sources
}

$env:BUILD_ROOT = $root
& dotnet (Join-Path $out 'Build.dll') @args
exit $LASTEXITCODE
