using Build.Docker;
using Build.Host;
using Build.Processes;
using Build.Secrets;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Tests.Fixtures;

/// <summary>
/// A <see cref="DockerCli"/> whose docker is a shell script in a folder of the test's own: it appends each call's
/// arguments to a file, then runs the body the test gives it (a <c>case "$*"</c> usually).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FakeDocker : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fake-docker-").FullName;

    public string Folder => _dir;

    public Redactor Redactor { get; } = new();

    private string CallsFile => Path.Combine(_dir, "calls");

    /// <summary>The arguments of every call so far, one line each.</summary>
    public string[] Calls => File.Exists(CallsFile) ? File.ReadAllLines(CallsFile) : [];

    public DockerCli Cli(string body)
    {
        var fake = Path.Combine(_dir, "docker");
        File.WriteAllText(fake, $"#!/bin/sh\necho \"$*\" >> '{CallsFile}'\n{body}\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var context = CakeContextFactory.Create(new CakeEnvironment(new CakePlatform(), new CakeRuntime()), new NullLog(), HostOptions.Parse([]));
        return new DockerCli(new CommandRunner(context, Redactor, CancellationToken.None), fake);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
