using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>What <c>docker version</c> says of the daemon: its version, the API range it speaks and its CPU architecture.</summary>
public sealed record DockerEngine(string Version, string ApiVersion, string MinimumApiVersion, string Architecture)
{
    /// <summary>The helper platform for containers of this daemon (<c>linux/amd64</c>, <c>linux/arm64</c>).</summary>
    public string Platform => "linux/" + Architecture switch { "x86_64" => "amd64", "aarch64" => "arm64", var other => other };

    /// <summary>True when the daemon refuses clients below <paramref name="apiVersion"/> (Engine 29 refuses below 1.44).</summary>
    public bool Refuses(string apiVersion) => System.Version.TryParse(MinimumApiVersion, out var minimum)
        && System.Version.TryParse(apiVersion, out var client) && client < minimum;
}

/// <summary>The docker CLI: argument rendering (tested without a process) and runs through the <see cref="CommandRunner"/>.</summary>
public sealed class DockerCli(CommandRunner commands)
{
    public const string Tool = "docker";

    public static ProcessArgumentBuilder ServerVersionArguments() =>
        Arguments.Of("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Arch}}");

    public CommandResult Run(ProcessArgumentBuilder arguments, CommandOptions? options = null) => commands.Run(Tool, arguments, options);

    /// <summary>The daemon's version and API; a <see cref="CommandException"/> with the CLI's first error line when it cannot be reached.</summary>
    public DockerEngine Engine(TimeSpan timeout)
    {
        var result = Run(ServerVersionArguments(), new CommandOptions { Timeout = timeout });
        var parts = result.StandardOutput.Trim().Split(' ');
        return result.Succeeded && parts.Length == 4
            ? new DockerEngine(parts[0], parts[1], parts[2], parts[3])
            : throw new CommandException("not reachable: " + FirstLine(result.StandardError));
    }

    /// <summary>
    /// Makes sure the daemon has <paramref name="image"/>: present, or pulled when <paramref name="pullMissing"/>
    /// (IMAGE_PULL=missing). Null when the image is there; otherwise why not (pulling is off, or the pull's last error lines).
    /// </summary>
    public string? EnsureImage(string image, bool pullMissing, Action<string> log)
    {
        if (Run(Arguments.Of("image", "inspect", "--format", "{{.Id}}", image)).Succeeded)
        {
            return null;
        }

        if (!pullMissing)
        {
            return "it is not on this machine, and IMAGE_PULL=never";
        }

        log($"pulling {image} ...");
        var pull = Run(Arguments.Of("pull", image), new CommandOptions { Timeout = TimeSpan.FromMinutes(15) });
        return pull.Succeeded
            ? null
            : "it is not on this machine and could not be pulled: " + string.Join(' ', pull.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3).Select(l => l.Trim()));
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
