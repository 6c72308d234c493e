namespace Build.GitLab;

/// <summary>Timeouts, retries, trust and the task named in <see cref="GitLabApi"/>'s failures; tests shorten the delays.</summary>
public sealed record GitLabApiOptions
{
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Retries { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PEM file of extra trusted CAs (GITLAB_CA_BUNDLE).</summary>
    public string? CaBundle { get; init; }

    public Action<string>? Log { get; init; }
}
