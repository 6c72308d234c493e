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
        Assert.Contains("Valid targets: Bootstrap, BuildHelper, Clean, Doctor", first.Output + first.Error);

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
        Assert.Contains("Valid targets: Bootstrap, BuildHelper, Clean, Doctor", first.Output + first.Error);

        var warm = Run(pwsh, "-NoProfile", "-File", Path.Combine(_copy, "build.ps1"), "--tree");
        Assert.True(warm.Code == 0, warm.Error);
        Assert.DoesNotContain("compiling", warm.Error);
        Assert.Contains("└─StageCredentials", warm.Output);
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
