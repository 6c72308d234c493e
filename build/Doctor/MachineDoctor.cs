using Build.Docker;
using Cake.Core;
using Cake.Core.IO;

namespace Build.Doctor;

/// <summary>Checks what every target needs of the machine: the Docker daemon, Compose, .NET and disk space.</summary>
public sealed class MachineDoctor(CommandRunner commands, DirectoryPath stateDirectory)
{
    public IReadOnlyList<DoctorCheck> Run() => [Daemon(), Compose(), DotNet(), Disk()];

    private DoctorCheck Daemon()
    {
        CommandResult result;
        try
        {
            result = commands.Run("docker", new ProcessArgumentBuilder().Append("version").Append("--format").AppendQuoted("{{.Server.Version}} {{.Server.APIVersion}}"), TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            return new DoctorCheck("docker", CheckStatus.Fail, ex.Message, "install Docker Engine (Debian: apt-get install docker.io)");
        }

        var parts = result.StandardOutput.Trim().Split(' ');
        return result.Succeeded && parts.Length == 2
            ? new DoctorCheck("docker daemon", CheckStatus.Ok, $"Engine {parts[0]}, API {parts[1]}")
            : new DoctorCheck("docker daemon", CheckStatus.Fail, "not reachable: " + FirstLine(result.StandardError), "start the daemon (systemctl start docker, or dockerd &) and check that this user may use /var/run/docker.sock");
    }

    private DoctorCheck Compose()
    {
        var plugin = TryVersion("docker", new ProcessArgumentBuilder().Append("compose").Append("version").Append("--short"));
        if (plugin is not null)
        {
            return new DoctorCheck("compose", CheckStatus.Ok, plugin.ToString());
        }

        var standalone = TryVersion("docker-compose", new ProcessArgumentBuilder().Append("version").Append("--short"));
        return standalone switch
        {
            null => new DoctorCheck("compose", CheckStatus.Fail, "neither 'docker compose' nor 'docker-compose' answers", "install the Compose v2 plugin (docker-compose-plugin) or Compose v1 (apt-get install docker-compose)"),
            { Major: >= 2 } => new DoctorCheck("compose", CheckStatus.Ok, standalone.ToString()),
            _ => new DoctorCheck("compose", CheckStatus.Warn, standalone + " (v1: works, but is no longer maintained)", "install the Compose v2 plugin when you can"),
        };
    }

    private ComposeVersion? TryVersion(string tool, ProcessArgumentBuilder arguments)
    {
        try
        {
            var result = commands.Run(tool, arguments, TimeSpan.FromSeconds(20));
            return result.Succeeded ? ComposeVersion.Parse(result.StandardOutput, tool) : null;
        }
        catch (CommandException)
        {
            return null;
        }
    }

    private static DoctorCheck DotNet() =>
        Environment.Version.Major >= 10
            ? new DoctorCheck(".NET", CheckStatus.Ok, $"runtime {Environment.Version}")
            : new DoctorCheck(".NET", CheckStatus.Fail, $"runtime {Environment.Version}", "install the .NET 10 SDK");

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

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
