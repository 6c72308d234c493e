using Build.Host;
using Tests.Shared;

namespace Build.Tests.Host;

/// <summary>
/// build.sh and build.ps1 on a copy of the repository: they compile the host only when build/ changed,
/// work from any directory, pass arguments through and return the host's exit code.
/// </summary>
public sealed class BootstrapScriptTests : IDisposable
{
    private readonly string _copy = Directory.CreateTempSubdirectory("bootstrap-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("bootstrap-cwd-").FullName;

    public BootstrapScriptTests()
    {
        var repository = TestRepository.Root();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repository, "build"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(repository, file);
            if (relative.Split(Path.DirectorySeparatorChar) is [_, "bin" or "obj", ..])
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_copy, relative))!);
            File.Copy(file, Path.Combine(_copy, relative));
        }

        foreach (var script in new[] { "build.sh", "build.ps1", "Directory.Build.props", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(repository, script), Path.Combine(_copy, script));
        }
    }

    public void Dispose()
    {
        Directory.Delete(_copy, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    [Fact]
    public void Build_sh_compiles_once_then_starts_the_host_directly_and_recompiles_after_an_edit()
    {
        var first = Run("bash", Path.Combine(_copy, "build.sh"), "--target", "NoSuchTarget");
        Assert.Equal(ExitCodes.Usage, first.Code);
        Assert.Contains("compiling the build host", first.Error);
        Assert.Contains("Valid targets: Bootstrap, BuildHelper, Clean, Diagnose, Doctor", first.Output + first.Error);

        var warm = Run("bash", Path.Combine(_copy, "build.sh"), "--tree");
        Assert.True(warm.Code == 0, warm.Error);
        Assert.DoesNotContain("compiling", warm.Error);
        Assert.Contains("└─StageCredentials", warm.Output);

        File.AppendAllText(Path.Combine(_copy, "build", "Program.cs"), "// an edit\n");
        var edited = Run("bash", Path.Combine(_copy, "build.sh"), "--description");
        Assert.True(edited.Code == 0, edited.Error);
        Assert.Contains("compiling the build host", edited.Error);
        Assert.DoesNotContain("Build succeeded", edited.Output + edited.Error);
        Assert.Contains("Doctor", edited.Output);
    }

    [Fact]
    public void Build_sh_stops_with_exit_1_and_runs_nothing_when_the_host_does_not_compile()
    {
        File.AppendAllText(Path.Combine(_copy, "build", "Program.cs"), "this is not C#\n");

        var run = Run("bash", Path.Combine(_copy, "build.sh"), "--tree");

        Assert.Equal(1, run.Code);
        Assert.Contains("compiling build/Build.csproj failed", run.Error);
        Assert.Contains("error CS", run.Output + run.Error);
        Assert.DoesNotContain("SmokeTest", run.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Build_ps1_compiles_once_passes_arguments_and_returns_the_exit_code()
    {
        var pwsh = FindPwsh();

        var first = Run(pwsh, "-NoProfile", "-File", Path.Combine(_copy, "build.ps1"), "--target=NoSuchTarget");
        Assert.Equal(ExitCodes.Usage, first.Code);
        Assert.Contains("compiling the build host", first.Error);
        Assert.Contains("Valid targets: Bootstrap, BuildHelper, Clean, Diagnose, Doctor", first.Output + first.Error);

        var warm = Run(pwsh, "-NoProfile", "-File", Path.Combine(_copy, "build.ps1"), "--tree");
        Assert.True(warm.Code == 0, warm.Error);
        Assert.DoesNotContain("compiling", warm.Error);
        Assert.Contains("└─StageCredentials", warm.Output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Build_sh_precompiles_the_host_and_falls_back_to_the_plain_build_where_publishing_fails()
    {
        // Given the real dotnet, build.sh compiles the host ReadyToRun (precompiled native code makes the file larger)
        var precompiled = Run("bash", Path.Combine(_copy, "build.sh"), "--tree");
        Assert.True(precompiled.Code == 0, precompiled.Error);
        var readyToRun = new FileInfo(Path.Combine(_copy, "artifacts", "build-host", "Build.dll")).Length;

        // Given a dotnet whose publish fails (no runtime or crossgen2 pack on an offline package source)
        var bin = Directory.CreateDirectory(Path.Combine(_elsewhere, "bin")).FullName;
        var real = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
        File.WriteAllText(Path.Combine(bin, "dotnet"), $"#!/bin/sh\nif [ \"$1\" = publish ]; then echo 'error NU1101: Unable to find package Microsoft.NETCore.App.Crossgen2' >&2; exit 1; fi\nexec {real} \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(Path.Combine(_copy, "artifacts"), recursive: true);

        // When build.sh compiles again
        using var run = ChildProcess.Start("bash", [Path.Combine(_copy, "build.sh"), "--tree"], _elsewhere, new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });
        var (code, output, error) = run.Finish(TimeSpan.FromMinutes(3));

        // Then the plain build serves: the run works, with a smaller (JIT-only) host
        Assert.True(code == 0, error);
        Assert.Contains("└─StageCredentials", output);
        Assert.True(new FileInfo(Path.Combine(_copy, "artifacts", "build-host", "Build.dll")).Length < readyToRun * 3 / 4);
    }

    [Fact]
    public void Build_sh_compiles_with_NUGET_PACKAGES_spelled_without_its_trailing_slash()
    {
        // Given the package folder named as CI set-ups often name it: NUGET_PACKAGES without a trailing slash
        // (NuGet then writes NuGetPackageRoot without one, and Cake's engine is found under that folder)
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // When build.sh compiles the host
        using var run = ChildProcess.Start("bash", [Path.Combine(_copy, "build.sh"), "--tree"], _elsewhere, new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages.TrimEnd('/') });
        var (code, output, error) = run.Finish(TimeSpan.FromMinutes(3));

        // Then it compiles and runs
        Assert.True(code == 0, error + output);
        Assert.Contains("└─StageCredentials", output);
    }

    private (int Code, string Output, string Error) Run(string program, params string[] args)
    {
        using var run = ChildProcess.Start(program, args, _elsewhere);
        return run.Finish(TimeSpan.FromMinutes(3));
    }

    /// <summary>pwsh on PATH, else the copy ./test.sh installs (dotnet tool PowerShell 7.6.9).</summary>
    private static string FindPwsh()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "pwsh"))
            .Append(Path.Combine(TestRepository.Root(), "artifacts", "tools", "pwsh"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pwsh was not found on PATH or in artifacts/tools. ./test.sh installs it: dotnet tool install --tool-path artifacts/tools PowerShell --version 7.6.9");
    }
}
