namespace Build.Diagnose;

/// <summary>
/// What a job could read: every job runs whatever its script says, so anything config.toml gives the jobs (the entry's
/// environment, mounted files, the Docker socket, the instance role) is readable by any job of any project the runner
/// serves. Short-lived tokens only (a docker config of auths, no helper, no credentials) is the goal.
/// </summary>
public static class JobCredentials
{
    private const string Tokens = "give the jobs short-lived tokens only: a read-only folder with a config.json of auths that something renews hourly, DOCKER_CONFIG pointing at it, and no credentials or helper";

    public static Finding Check(DiagnosedEntry entry, IReadOnlyList<JobMount> mounts, DockerConfigJson? config, bool socket)
    {
        const string Id = "dind.credentials", Check = "what a job could read";
        var variables = entry.Environment.Select(RunnerConfigFile.Split).ToList();
        var keys = variables.Where(v => v.Name is "AWS_ACCESS_KEY_ID" or "AWS_SECRET_ACCESS_KEY" or "AWS_SESSION_TOKEN" && v.Value.Length > 0).Select(v => v.Name).ToList();
        if (keys.Count > 0)
        {
            return Finding.Fail(Id, Check, $"the entry's environment holds {string.Join(", ", keys)}: the runner copies it into every job, where any script (and any job log that prints the environment) can read the keys",
                "remove the keys from config.toml; mount a credentials file for the jobs' helper if they need one, or " + Tokens);
        }

        var exposures = new List<string>();
        var jobEnvironment = variables.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var helper = mounts.Any(m => Path.GetFileName(m.Target) == "docker-credential-" + ExecutorAuth.HelperSuffix);
        var source = CredentialSources.Source(jobEnvironment, "/root", path => mounts.Any(m => m.Target == path && m.FromHost && File.Exists(m.Source)));
        if (source is not null && mounts.FirstOrDefault(m => source.Contains(m.Target, StringComparison.Ordinal)) is { } file)
        {
            exposures.Add($"every job can read the long-lived key in {file.Source} (mounted at {file.Target})");
        }

        if (entry.Variable("DOCKER_AUTH_CONFIG") is { } auth && auth.Contains("auth", StringComparison.OrdinalIgnoreCase) && auth.Contains("\"auths\"", StringComparison.Ordinal))
        {
            exposures.Add("every job can read the registry passwords in the entry's DOCKER_AUTH_CONFIG (the entry's environment is copied into every job)");
        }

        if (socket)
        {
            exposures.Add("jobs can drive the host's Docker daemon through the mounted socket, and through it read anything on the host, the runner's config and credentials included");
        }

        var instanceRole = helper && source is null && jobEnvironment.GetValueOrDefault("AWS_EC2_METADATA_DISABLED")?.Equals("true", StringComparison.OrdinalIgnoreCase) != true;
        if (instanceRole)
        {
            exposures.Add("the jobs' helper has no credentials but the EC2 instance role, which answers job containers only with an IMDSv2 hop limit of 2 or more (the default of 1 leaves them without credentials; that cannot be seen from here), and then gives every job the role's credentials");
        }

        if (exposures.Count > 0)
        {
            return Finding.Warn(Id, Check, string.Join("; ", exposures), instanceRole ? CredentialSources.HopLimitFix + "; or " + Tokens : Tokens);
        }

        var tokensOnly = config is not null && !helper && config.Auths.Any(a => RegistryHosts.IsEcr(a.Host));
        return Finding.Ok(Id, Check, tokensOnly ? "jobs hold short-lived tokens only: no AWS credentials, no helper" : "no AWS credentials reach the jobs");
    }
}
