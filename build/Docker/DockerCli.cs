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

/// <summary>
/// The docker CLI: one typed operation per thing the build asks of Docker, each rendering its arguments through a static
/// method (tested without a process) and running through the <see cref="CommandRunner"/>, so a secret is refused in
/// argv and reaches docker only through its standard input or environment. The operations on containers are in
/// DockerCli.Containers.cs, those on networks, volumes and lists in DockerCli.Resources.cs.
/// </summary>
/// <param name="tool">docker on PATH; a path runs that program instead (tests give a fake).</param>
/// <param name="host">A daemon other than the one the environment names (DOCKER_HOST for every command), or null.</param>
public sealed partial class DockerCli(CommandRunner commands, string tool = DockerCli.Tool, string? host = null)
{
    public const string Tool = "docker";

    private static readonly TimeSpan PullTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The same CLI with commands the run's cancellation does not stop: removals in a finally block must run after Ctrl-C too.</summary>
    public DockerCli WithoutCancellation() => new(commands.WithoutCancellation(), tool, host);

    /// <summary>The same CLI speaking to the daemon at <paramref name="dockerHost"/> (a worker's, through a tunnel), whatever the environment's context or TLS settings name.</summary>
    public DockerCli At(string dockerHost) => new(commands, tool, dockerHost);

    /// <summary>The variables that point the CLI at <see cref="At"/>'s daemon, and those that would point it elsewhere.</summary>
    public static CommandOptions ForHost(CommandOptions options, string dockerHost) => options with
    {
        Environment = new Dictionary<string, string>(options.Environment) { ["DOCKER_HOST"] = dockerHost },
        RemoveEnvironment = [.. options.RemoveEnvironment, "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"],
    };

    public static ProcessArgumentBuilder ServerVersionArguments() =>
        Arguments.Of("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Arch}}");

    /// <summary>The daemon's version and API; a <see cref="CommandException"/> with the CLI's first error line when it cannot be reached.</summary>
    public DockerEngine Engine(TimeSpan timeout)
    {
        var result = Run(ServerVersionArguments(), timeout);
        var parts = result.StandardOutput.Trim().Split(' ');
        return result.Succeeded && parts.Length == 4
            ? new DockerEngine(parts[0], parts[1], parts[2], parts[3])
            : throw new CommandException("not reachable: " + FirstLine(result.StandardError));
    }

    public static ProcessArgumentBuilder ImageInspectArguments(string image) => Arguments.Of("image", "inspect", "--format", "{{.Id}}", image);

    /// <summary>True when the daemon has <paramref name="image"/>.</summary>
    public bool ImageExists(string image) => Run(ImageInspectArguments(image)).Succeeded;

    public static ProcessArgumentBuilder PullArguments(string image) => Arguments.Of("pull", image);

    /// <summary><c>docker pull</c>, allowed 15 minutes.</summary>
    public CommandResult Pull(string image) => Run(PullArguments(image), PullTimeout);

    /// <summary>
    /// Makes sure the daemon has <paramref name="image"/>: present, or pulled when <paramref name="pullMissing"/>
    /// (IMAGE_PULL=missing). Null when the image is there; otherwise why not (pulling is off, or the pull's last error lines).
    /// </summary>
    public string? EnsureImage(string image, bool pullMissing, Action<string> log)
    {
        if (ImageExists(image))
        {
            return null;
        }

        if (!pullMissing)
        {
            return "it is not on this machine, and IMAGE_PULL=never";
        }

        log($"pulling {image} ...");
        var pull = Pull(image);
        return pull.Succeeded
            ? null
            : "it is not on this machine and could not be pulled: " + string.Join(' ', pull.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3).Select(l => l.Trim()));
    }

    public static ProcessArgumentBuilder RemoveImageArguments(string image) => Arguments.Of("image", "rm", "--force", image);

    public CommandResult RemoveImage(string image) => Run(RemoveImageArguments(image));

    private CommandResult Run(ProcessArgumentBuilder arguments, CommandOptions? options = null) =>
        commands.Run(tool, arguments, host is null ? options : ForHost(options ?? CommandOptions.Default, host));

    private CommandResult Run(ProcessArgumentBuilder arguments, TimeSpan timeout) => Run(arguments, new CommandOptions { Timeout = timeout });

    /// <summary>The lines of a command's output; none when it failed.</summary>
    private static List<string> Lines(CommandResult result) =>
        result.Succeeded ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [];

    private static IEnumerable<string> Labels(IEnumerable<string> labels) => labels.SelectMany(l => new[] { "--label", l });

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
