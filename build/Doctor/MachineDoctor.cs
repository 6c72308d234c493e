using Build.Docker;
using Build.Processes;
using Cake.Core.IO;

namespace Build.Doctor;

/// <summary>Checks what every target needs of the machine: the Docker daemon, Compose, the .NET SDK and disk space.</summary>
public sealed class MachineDoctor(DockerCli docker, Func<ComposeCli?> compose, CommandRunner commands, DirectoryPath stateDirectory)
{
    /// <summary>The SDK major version build.sh compiles the build with.</summary>
    public const int SdkMajor = 10;

    public IReadOnlyList<DoctorCheck> Run() => [Daemon(), Compose(), Sdk(), Disk()];

    private DoctorCheck Daemon()
    {
        const string name = "docker daemon";
        try
        {
            var engine = docker.Engine(TimeSpan.FromSeconds(20));
            return new DoctorCheck(name, CheckStatus.Ok, $"Engine {engine.Version}, API {engine.ApiVersion}");
        }
        catch (CommandException ex) when (ex.Message.Contains("was not found on PATH", StringComparison.Ordinal))
        {
            return new DoctorCheck(name, CheckStatus.Fail, "the docker CLI is not installed", "install Docker Engine (Debian: apt-get install docker.io)");
        }
        catch (CommandException ex)
        {
            return new DoctorCheck(name, CheckStatus.Fail, ex.Message, "start the daemon (systemctl start docker, or dockerd &) and check that this user may use /var/run/docker.sock");
        }
    }

    private DoctorCheck Compose() => compose() switch
    {
        null => new DoctorCheck("compose", CheckStatus.Fail, "neither 'docker compose' nor 'docker-compose' answers", "install the Compose v2 plugin (docker-compose-plugin) or Compose v1 (apt-get install docker-compose)"),
        { Version.Major: >= 2 } found => new DoctorCheck("compose", CheckStatus.Ok, found.Version.ToString()),
        var v1 => new DoctorCheck("compose", CheckStatus.Warn, v1.Version + " (v1: works, but is no longer maintained)", "install the Compose v2 plugin when you can"),
    };

    private DoctorCheck Sdk()
    {
        const string name = ".NET SDK";
        var fix = $"install the .NET {SdkMajor} SDK: build.sh compiles the build with it";
        CommandResult result;
        try
        {
            result = commands.Run("dotnet", Arguments.Of("--list-sdks"), new CommandOptions { Timeout = TimeSpan.FromSeconds(30) });
        }
        catch (CommandException ex)
        {
            return new DoctorCheck(name, CheckStatus.Fail, ex.Message, fix);
        }

        var versions = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0].Trim()).ToList();
        var wanted = versions.LastOrDefault(v => v.StartsWith($"{SdkMajor}.", StringComparison.Ordinal));
        return wanted is not null
            ? new DoctorCheck(name, CheckStatus.Ok, "SDK " + wanted)
            : new DoctorCheck(name, CheckStatus.Fail, versions.Count == 0 ? "no SDK found (only a runtime?)" : "found " + string.Join(", ", versions), fix);
    }

    private DoctorCheck Disk()
    {
        var path = stateDirectory.FullPath;
        var existing = path;
        while (!System.IO.Directory.Exists(existing) && System.IO.Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        return DoctorCheck.ForFreeSpace(path, new DriveInfo(existing).AvailableFreeSpace);
    }
}
