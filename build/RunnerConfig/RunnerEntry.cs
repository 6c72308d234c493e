using Build.Aws;
using Build.Secrets;
using Build.Settings;

namespace Build.RunnerConfig;

/// <summary>
/// The parts of config.toml the project owns: the global <c>concurrent</c> and one <c>[[runners]]</c> entry, found by
/// name: its url, token, <c>environment</c> variables, and its executor with the sections that executor owns.
/// Everything else in the file belongs to the user or to the runner and is never touched.
/// </summary>
public sealed record RunnerEntry(
    int? Concurrent,
    string Name,
    string Url,
    Secret Token,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    RunnerExecutor Executor)
{
    /// <summary>Variables Register may have written in an earlier run; the ones not wanted now are removed, others are the user's.</summary>
    public static readonly IReadOnlySet<string> OwnedVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "DOCKER_AUTH_CONFIG", "DOCKER_CONFIG", "BUILDX_CONFIG", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_CA_BUNDLE",
    };

    /// <summary>Where buildx keeps its state in token-mode jobs: DOCKER_CONFIG is read-only there, and buildx writes under it by default.</summary>
    public const string BuildxConfig = "/root/.docker/buildx";

    /// <summary>
    /// The entry for these settings (the Docker executor, or with FLEET=aws the docker-autoscaler): DOCKER_AUTH_CONFIG for
    /// the executor level; for the DinD level, in token mode DOCKER_CONFIG at the refresher's folder, in helper mode the
    /// credentials per source (RunnerCredentials.Jobs; a fleet's workers use their instance role).
    /// </summary>
    /// <param name="url">Where the runner reaches GitLab (EffectiveGitLab.RunnerUrl); GITLAB_URL when null.</param>
    public static RunnerEntry For(BuildSettings settings, RunnerCredentials credentials, Secret token, string helperBinary, string dindConfigFile, Uri? url = null)
    {
        var environment = new List<KeyValuePair<string, string>>
        {
            new("DOCKER_AUTH_CONFIG", DockerAuthConfig.Json(settings.Aws.Registries.Select(r => r.Host), settings.Helper.UseCredsStore)),
        };

        if (settings.Runner.DindAuth == DindAuth.Token)
        {
            environment.Add(new("DOCKER_CONFIG", DockerExecutor.TokenTarget));
            environment.Add(new("BUILDX_CONFIG", BuildxConfig));
        }

        // Never a secret value: config.toml's environment is copied into every job (RunnerCredentials.Jobs has none).
        // A fleet's jobs run on a worker, whose helper mode uses the worker's instance role, not the manager's credentials.
        if (!settings.Fleet.Enabled)
        {
            environment.AddRange(credentials.Jobs.Environment.OrderBy(e => e.Key, StringComparer.Ordinal));
        }

        return new RunnerEntry(
            settings.Runner.Concurrent,
            settings.Runner.Name,
            (url ?? settings.GitLab.Url).ToString().TrimEnd('/'),
            token,
            environment,
            settings.Fleet.Enabled ? AutoscalerExecutor.For(settings) : DockerExecutor.For(settings, credentials, helperBinary, dindConfigFile));
    }

    /// <summary>The entry's <c>environment</c> as config.toml holds it: ours first, then the user's variables we do not own.</summary>
    public OwnedValue.SharedList EnvironmentValue
    {
        get
        {
            var names = Environment.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            return new OwnedValue.SharedList([.. Environment.Select(e => $"{e.Key}={e.Value}")], item => item.Split('=', 2)[0] is var name && (OwnedVariables.Contains(name) || names.Contains(name)));
        }
    }

    public override string ToString() => $"RunnerEntry {{ Name = {Name}, Url = {Url}, Executor = {Executor.Name}, Token = {Secret.Mask} }}";
}
