namespace Build.Docker;

/// <summary>The labels on every container and volume the build creates, so they can be found (and cleaned) by project.</summary>
public static class ProjectLabels
{
    public const string Project = "gitlab-runner-ecr.project";

    public const string Role = "gitlab-runner-ecr.role";

    /// <summary>The <c>key=value</c> labels of a resource of <paramref name="project"/> (COMPOSE_PROJECT_NAME) with a role.</summary>
    public static IReadOnlyList<string> Of(string project, string role) => [$"{Project}={project}", $"{Role}={role}"];
}
