using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>What <c>docker version</c> says of the daemon.</summary>
public sealed record DockerEngine(string Version, string ApiVersion);

/// <summary>The docker CLI: argument rendering (tested without a process) and runs through the <see cref="CommandRunner"/>.</summary>
public sealed class DockerCli(CommandRunner commands)
{
    public const string Tool = "docker";

    public static ProcessArgumentBuilder ServerVersionArguments() =>
        Arguments.Of("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}");

    public CommandResult Run(ProcessArgumentBuilder arguments, CommandOptions? options = null) => commands.Run(Tool, arguments, options);

    /// <summary>The daemon's version and API; a <see cref="CommandException"/> with the CLI's first error line when it cannot be reached.</summary>
    public DockerEngine Engine(TimeSpan timeout)
    {
        var result = Run(ServerVersionArguments(), new CommandOptions { Timeout = timeout });
        var parts = result.StandardOutput.Trim().Split(' ');
        return result.Succeeded && parts.Length == 2
            ? new DockerEngine(parts[0], parts[1])
            : throw new CommandException("not reachable: " + FirstLine(result.StandardError));
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
