using Amazon.Runtime.CredentialManagement;
using Build.DindToken;
using Build.Docker;
using Build.Runner;
using Build.Secrets;
using Build.Settings;

namespace Build.Smoke;

/// <summary>
/// What SmokeTest's DinD level checks in token mode, besides the pull: that the token the job will read is fresh
/// (the refresher runs, its last refresh of the registry succeeded in time, the token has not expired), and which
/// AWS values the job container must not hold (the runner's key id, secret and session token).
/// </summary>
/// <param name="environment">The process environment (the credentials file's default place).</param>
public sealed class TokenModeJob(BuildSettings settings, State.StateLayout state, DockerCli docker, Redactor redactor, Func<string, string?> environment)
{
    /// <summary>Why the jobs' token for <paramref name="host"/> is stale, or null when it is fresh.</summary>
    public BuildFailure? Stale(string host, DateTimeOffset now)
    {
        var container = docker.ContainerIds(ProjectLabels.Of(settings.ComposeProjectName, TokenRefresher.Role)).FirstOrDefault();
        var refresher = container is null ? null : docker.ContainerStatus(container) is { Length: > 0 } status ? status : null;
        TokenStatus? written;
        try
        {
            written = TokenStatus.Read(state.DindTokenStatus);
        }
        catch (InvalidDataException ex)
        {
            return new BuildFailure(ex.Message, TokenFreshness.UpFix);
        }

        return TokenFreshness.Judge(written, state.DindTokenStatus, refresher, host, now, $"{state.ComposeScript} logs {RunnerStack.TokenService}");
    }

    /// <summary>The runner's AWS key id, secret and session token (none with the instance role), masked from here on.</summary>
    public IReadOnlyList<Secret> AwsValues()
    {
        var values = settings.Aws.CredentialsSource switch
        {
            CredentialsSource.Environment => new[] { settings.Aws.AccessKeyId, settings.Aws.SecretAccessKey, settings.Aws.SessionToken }.OfType<Secret>().ToList(),
            CredentialsSource.File => FromFile(Aws.CredentialsFileLocation.Resolve(settings.Aws.CredentialsFile?.FullPath, environment)),
            _ => [],
        };
        foreach (var value in values)
        {
            redactor.Add(value, "an AWS value of the runner's credentials");
        }

        return values;
    }

    private List<Secret> FromFile(string path)
    {
        try
        {
            return File.Exists(path) && new SharedCredentialsFile(path).TryGetProfile(settings.Aws.Profile, out var profile)
                ? [.. new[] { profile.Options.AccessKey, profile.Options.SecretKey, profile.Options.Token }.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => new Secret(v))]
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            // Unreadable here means unreadable for the check: the variables and mounts are still checked by name.
            return [];
        }
    }
}
