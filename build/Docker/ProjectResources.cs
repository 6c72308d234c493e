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
    /// <summary>Either label marks a resource of the project; Docker ANDs filters, so each is asked on its own.</summary>
    public IReadOnlyList<string> Labels => [$"{ProjectLabels.Project}={project}", $"com.docker.compose.project={project}"];

    public IReadOnlyList<ProjectResource> Containers() =>
        List("container", DockerObjects.Containers, "{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Status}}", f => f.Length > 3 ? $"{f[2]} ({f[3]})" : string.Empty);

    public IReadOnlyList<ProjectResource> Networks() => List("network", DockerObjects.Networks, "{{.ID}}\t{{.Name}}", _ => string.Empty);

    public IReadOnlyList<ProjectResource> Volumes() => List("volume", DockerObjects.Volumes, "{{.Name}}\t{{.Name}}", _ => string.Empty);

    public IReadOnlyList<ProjectResource> Images() => List("image", DockerObjects.Images, "{{.ID}}\t{{.Repository}}:{{.Tag}}", _ => string.Empty);

    private List<ProjectResource> List(string kind, DockerObjects objects, string format, Func<string[], string> detail)
    {
        var found = new Dictionary<string, ProjectResource>(StringComparer.Ordinal);
        foreach (var label in Labels)
        {
            foreach (var line in docker.List(objects, label, format))
            {
                var fields = line.Split('\t');
                found.TryAdd(fields[0], new ProjectResource(kind, fields[0], fields.Length > 1 ? fields[1] : fields[0], detail(fields)));
            }
        }

        return [.. found.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
    }
}
