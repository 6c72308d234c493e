using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>One container, network, volume or image the project created, as Docker lists it.</summary>
public sealed record ProjectResource(string Kind, string Id, string Name, string Detail = "")
{
    public override string ToString() => $"{Kind} {Name}{(Name == Id ? string.Empty : $" ({Id[..Math.Min(12, Id.Length)]})")}{(Detail.Length == 0 ? string.Empty : ", " + Detail)}";
}

/// <summary>
/// The project's Docker resources found by label only (<c>gitlab-runner-ecr.project</c> or Compose's
/// <c>com.docker.compose.project</c> equal to COMPOSE_PROJECT_NAME), never by name: a user's container named like
/// the runner is not the project's.
/// </summary>
public sealed class ProjectResources(DockerCli docker, string project)
{
    public IReadOnlyList<string> Filters => [$"label={ProjectLabels.Project}={project}", $"label=com.docker.compose.project={project}"];

    public IReadOnlyList<ProjectResource> Containers() =>
        List("container", ["ps", "--all", "--no-trunc", "--format", "{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Status}}"], f => f.Length > 3 ? $"{f[2]} ({f[3]})" : string.Empty);

    public IReadOnlyList<ProjectResource> Networks() =>
        List("network", ["network", "ls", "--no-trunc", "--format", "{{.ID}}\t{{.Name}}"], _ => string.Empty);

    public IReadOnlyList<ProjectResource> Volumes() =>
        List("volume", ["volume", "ls", "--format", "{{.Name}}\t{{.Name}}"], _ => string.Empty);

    public IReadOnlyList<ProjectResource> Images() =>
        List("image", ["image", "ls", "--no-trunc", "--format", "{{.ID}}\t{{.Repository}}:{{.Tag}}"], _ => string.Empty);

    /// <summary>The arguments of one list command with one label filter (Docker ANDs filters of the same kind, so each label is asked on its own).</summary>
    public static ProcessArgumentBuilder ListArguments(IEnumerable<string> command, string filter)
    {
        var words = command.ToList();
        words.InsertRange(words.IndexOf("--format"), ["--filter", filter]);
        return Arguments.Of(words);
    }

    private List<ProjectResource> List(string kind, string[] command, Func<string[], string> detail)
    {
        var found = new Dictionary<string, ProjectResource>(StringComparer.Ordinal);
        foreach (var filter in Filters)
        {
            var result = docker.Run(ListArguments(command, filter), new CommandOptions { Timeout = TimeSpan.FromSeconds(30) });
            if (!result.Succeeded)
            {
                throw new CommandException($"docker {string.Join(' ', command.Take(2))} failed: {result.StandardError.Trim()}");
            }

            foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var fields = line.Split('\t');
                found.TryAdd(fields[0], new ProjectResource(kind, fields[0], fields.Length > 1 ? fields[1] : fields[0], detail(fields)));
            }
        }

        return [.. found.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
    }
}
