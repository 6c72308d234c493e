using Build.Secrets;

namespace Build.GitLab;

/// <summary>A runner GitLab created or verified: its id and authentication token (a secret), and when the token expires.</summary>
public sealed record RunnerAnswer(long Id, Secret Token, DateTimeOffset? ExpiresAt)
{
    public override string ToString() => $"RunnerAnswer {{ Id = {Id}, Token = {Secret.Mask}, ExpiresAt = {ExpiresAt} }}";
}

/// <summary>What a runner GitLab creates is given: description, tags, untagged jobs.</summary>
public sealed record RunnerRequest(string Description, IReadOnlyList<string> Tags, bool RunUntagged);
