namespace Build.GitLab;

/// <summary>A GitLab call failed: what happened, and what to do. Nothing was written.</summary>
public sealed class GitLabException(string problem, string fix, Exception? inner = null) : BuildFailure(problem, fix, inner)
{
    /// <summary>
    /// Whether GitLab may have done the call all the same: it answered 5xx, the connection broke or timed out after the
    /// request went out, or a success answer could not be read. A creating call is then looked for before it is made again.
    /// </summary>
    public bool Ambiguous { get; init; }
}
