namespace Build.GitLab;

/// <summary>A GitLab call failed: what happened, and what to do. Nothing was written.</summary>
public sealed class GitLabException(string problem, string fix, Exception? inner = null, string stage = "Register")
    : Exception($"{stage}: {problem}\n  fix: {fix}", inner)
{
    public string Problem { get; } = problem;
}
