using System.Collections.Concurrent;
using System.Net;

namespace Lab.Fixtures.GitLab;

/// <summary>
/// Server mode's part of the emulator: root's personal access tokens as the lab's gitlab-standin image's gitlab-rails
/// writes them (one per line in <see cref="RootTokensFile"/>, read on every call), projects created with POST /projects,
/// and a fault for that call only.
/// </summary>
public sealed partial class GitLabEmulator
{
    private readonly ConcurrentDictionary<long, bool> _readme = new();

    /// <summary>The file the stand-in's gitlab-rails appends root's tokens to; null outside server mode.</summary>
    public string? RootTokensFile { get; set; }

    /// <summary>When set, POST /projects answers this status (a JSON message) instead of creating the project.</summary>
    public HttpStatusCode? ProjectCreationFault { get; set; }

    /// <summary>Root's tokens, as gitlab-rails created them.</summary>
    public IReadOnlyList<string> RootTokens =>
        RootTokensFile is { } file && File.Exists(file) ? [.. File.ReadAllLines(file).Where(l => l.Length > 0)] : [];

    public IReadOnlyCollection<EmulatedProject> Projects => [.. _projects.Values.OrderBy(p => p.Id)];

    /// <summary>Whether a project was created with a README (so that it has a default branch).</summary>
    public bool HasReadme(long projectId) => _readme.GetValueOrDefault(projectId);

    internal PersonalToken? RootTokenOf(string? token) =>
        token is not null && RootTokens.Contains(token) ? new PersonalToken(token, ["api", "create_runner"]) : null;

    internal EmulatedProject CreateProject(string pathWithNamespace, bool readme)
    {
        var project = AddProject(pathWithNamespace);
        _readme[project.Id] = readme;
        return project;
    }
}
