namespace Build.Tests.Fixtures;

/// <summary>
/// The real build run as its own process, the way build.sh starts it, with BUILD_ROOT at a temporary
/// folder of its own; fake docker, docker-compose and dotnet can stand in for the machine's.
/// </summary>
public sealed class BuildProcess : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("build-graph-").FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public (int Code, string Output) Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    public (int Code, string Output) RunWith(Dictionary<string, string> environment, params string[] args)
    {
        using var build = Start(environment, args);
        var (code, output, error) = build.Finish(TimeSpan.FromSeconds(60));
        return (code, output + error);
    }

    public ChildProcess Start(Dictionary<string, string> environment, params string[] args) =>
        ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), .. args], Root, WithDefaults(environment));

    /// <summary>BUILD_ROOT and HOME in the temporary folder, so that nothing a target writes to ~ reaches the real home.</summary>
    private Dictionary<string, string> WithDefaults(Dictionary<string, string> environment)
    {
        var all = new Dictionary<string, string>(environment) { ["BUILD_ROOT"] = Root };
        all.TryAdd("HOME", Path.Combine(Root, "home"));
        return all;
    }

    /// <summary>
    /// A folder of fake docker, docker-compose and dotnet scripts (a null body leaves that one out), as the
    /// whole PATH: what the build finds does not depend on what the machine running the tests has.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public Dictionary<string, string> FakeMachine(string? docker, string? compose, string? dotnet)
    {
        var bin = Directory.CreateDirectory(Path.Combine(Root, "fake-bin")).FullName;
        foreach (var (name, body) in new[] { ("docker", docker), ("docker-compose", compose), ("dotnet", dotnet) })
        {
            if (body is not null)
            {
                File.WriteAllText(Path.Combine(bin, name), "#!/bin/sh\n" + body);
                File.SetUnixFileMode(Path.Combine(bin, name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return new() { ["PATH"] = bin };
    }
}
