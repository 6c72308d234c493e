using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>A compose project: its name, files and active profiles.</summary>
public sealed record ComposeProject(string Name, IReadOnlyList<FilePath> Files, IReadOnlyList<string> Profiles);

/// <summary>
/// Compose through its real CLI: the v2 plugin (<c>docker compose</c>) when the machine has it,
/// else v1 (<c>docker-compose</c>), detected once per run. Renders the arguments of both; v2 gets the flags
/// only it knows (<c>up --wait</c>).
/// </summary>
public sealed class ComposeCli(CommandRunner commands, ComposeVersion version)
{
    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(20);

    public ComposeVersion Version { get; } = version;

    /// <summary>The plugin first, then v1; null when neither answers with a version.</summary>
    public static ComposeCli? Detect(CommandRunner commands)
    {
        foreach (var (tool, words) in new[] { (DockerCli.Tool, new[] { "compose", "version", "--short" }), ("docker-compose", ["version", "--short"]) })
        {
            try
            {
                var result = commands.Run(tool, Arguments.Of(words), new CommandOptions { Timeout = VersionTimeout });
                if (result.Succeeded && ComposeVersion.Parse(result.StandardOutput, tool) is { } found)
                {
                    return new ComposeCli(commands, found);
                }
            }
            catch (CommandException)
            {
                // Not installed: try the next one.
            }
        }

        return null;
    }

    /// <summary>The full argument list for <paramref name="command"/> on <paramref name="project"/>, for this Compose.</summary>
    public static ProcessArgumentBuilder Render(ComposeVersion version, ComposeProject project, params IEnumerable<string> command)
    {
        var words = new List<string>();
        if (version.IsPlugin)
        {
            words.Add("compose");
        }

        words.AddRange(["--project-name", project.Name]);
        foreach (var file in project.Files)
        {
            words.AddRange(["--file", file.FullPath]);
        }

        foreach (var profile in project.Profiles)
        {
            words.AddRange(["--profile", profile]);
        }

        words.AddRange(command);
        return Arguments.Of(words);
    }

    /// <summary><c>up -d</c>; v2 also waits for the services to be running and healthy (v1 has no <c>--wait</c>) unless <paramref name="wait"/> is false.</summary>
    public static ProcessArgumentBuilder Up(ComposeVersion version, ComposeProject project, bool wait = true) =>
        Render(version, project, version.IsPlugin && wait ? ["up", "--detach", "--wait"] : ["up", "--detach"]);

    /// <summary>Starts <paramref name="project"/> (see the static <see cref="Up(ComposeVersion, ComposeProject, bool)"/>).</summary>
    public CommandResult Up(ComposeProject project, bool wait, CommandOptions? options = null) =>
        commands.Run(Version.Command, Up(Version, project, wait), options);

    public CommandResult Run(ComposeProject project, IEnumerable<string> command, CommandOptions? options = null) =>
        commands.Run(Version.Command, Render(Version, project, command), options);
}
