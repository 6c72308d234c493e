namespace Build.Aws;

/// <summary>What an upstream registry of a pull-through cache rule needs before ECR can import from it.</summary>
public enum UpstreamAccess
{
    /// <summary>ECR Public, registry.k8s.io, Quay: anonymous.</summary>
    None,

    /// <summary>Docker Hub, GHCR, Azure, GitLab.com, Chainguard: a Secrets Manager secret named ecr-pullthroughcache/….</summary>
    Secret,

    /// <summary>Another private ECR registry: an IAM role when it belongs to another account.</summary>
    IamRole,

    /// <summary>An upstream this build does not know; the rule as AWS describes it decides.</summary>
    Unknown,
}

/// <summary>An upstream registry as a pull-through cache rule names it (its URL without scheme), with what ECR needs for it.</summary>
public sealed record PullThroughUpstream(string Host, string Name, UpstreamAccess Access)
{
    public const string DockerHub = "registry-1.docker.io";

    /// <summary>The prefix of every secret a pull-through cache rule may use.</summary>
    public const string SecretPrefix = "ecr-pullthroughcache/";

    /// <summary>
    /// The upstream <paramref name="host"/> names. Docker Hub's other names (docker.io, index.docker.io) become
    /// registry-1.docker.io, the one name ECR accepts for it in a rule.
    /// </summary>
    public static PullThroughUpstream Of(string host)
    {
        var name = host.ToLowerInvariant();
        if (name is "docker.io" or "index.docker.io" or DockerHub)
        {
            return new(DockerHub, "Docker Hub", UpstreamAccess.Secret);
        }

        return name switch
        {
            EcrRegistry.PublicHost => new(name, "ECR Public", UpstreamAccess.None),
            "registry.k8s.io" => new(name, "Kubernetes registry", UpstreamAccess.None),
            "quay.io" => new(name, "Quay", UpstreamAccess.None),
            "ghcr.io" => new(name, "GitHub Container Registry", UpstreamAccess.Secret),
            "registry.gitlab.com" => new(name, "GitLab Container Registry", UpstreamAccess.Secret),
            "cgr.dev" => new(name, "Chainguard", UpstreamAccess.Secret),
            _ when name.EndsWith(".azurecr.io", StringComparison.Ordinal) => new(name, "Azure Container Registry", UpstreamAccess.Secret),
            _ when EcrRegistry.TryParse(name, out var ecr) && !ecr!.IsPublic => new(name, "Amazon ECR", UpstreamAccess.IamRole),
            _ => new(name, name, UpstreamAccess.Unknown),
        };
    }

    public bool IsDockerHub => Host == DockerHub;
}
