using Build.Aws;
using Build.Secrets;
using Build.Settings;

namespace Build.RunnerConfig;

/// <summary>
/// The parts of config.toml the project owns (DESIGN D6): the global <c>concurrent</c> and one <c>[[runners]]</c> entry,
/// found by name. Everything else in the file belongs to the user or to the runner and is never touched.
/// </summary>
public sealed record RunnerEntry(
    int? Concurrent,
    string Name,
    string Url,
    Secret Token,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    DockerSection Docker)
{
    public const string Executor = "docker";
    public const string DindConfigTarget = "/root/.docker/config.json";
    public const string HelperTarget = "/usr/local/bin/docker-credential-ecr-login";

    /// <summary>Variables Register may have written in an earlier run; the ones not wanted now are removed, others are the user's.</summary>
    public static readonly IReadOnlySet<string> OwnedVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "DOCKER_AUTH_CONFIG", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_CA_BUNDLE",
    };

    /// <summary>Container paths of the volumes Register writes; other volumes in the entry are the user's and stay.</summary>
    public static readonly IReadOnlySet<string> OwnedVolumeTargets = new HashSet<string>(StringComparer.Ordinal)
    {
        DindConfigTarget, RunnerCredentials.CredentialsTarget, RunnerCredentials.CaBundleTarget, HelperTarget, "/certs/client", "/cache",
    };

    /// <summary>The entry for these settings: credentials per source (RunnerCredentials.Jobs), the helper and DinD config at their host paths.</summary>
    /// <param name="url">Where the runner reaches GitLab (EffectiveGitLab.RunnerUrl); GITLAB_URL when null.</param>
    public static RunnerEntry For(BuildSettings settings, RunnerCredentials credentials, Secret token, string helperBinary, string dindConfigFile, Uri? url = null)
    {
        var environment = new List<KeyValuePair<string, string>>
        {
            new("DOCKER_AUTH_CONFIG", DockerAuthConfig.Json(settings.Aws.Registries.Select(r => r.Host), settings.Helper.UseCredsStore)),
        };
        // Never a secret value: config.toml's environment is copied into every job (RunnerCredentials.Jobs has none).
        environment.AddRange(credentials.Jobs.Environment.OrderBy(e => e.Key, StringComparer.Ordinal));

        var volumes = new List<string> { new ContainerMount(dindConfigFile, DindConfigTarget, ReadOnly: true).ToString() };
        volumes.AddRange(credentials.Jobs.Mounts.Select(m => (m with { ReadOnly = true }).ToString()));
        volumes.Add(new ContainerMount(helperBinary, HelperTarget, ReadOnly: true).ToString());
        if (settings.Runner.RegistryCaBundle is { } registryCa)
        {
            // The DinD service trusts the registry's CA (a mirror with a private CA) through its certs.d folder.
            volumes.AddRange(settings.Aws.Registries.Select(r => new ContainerMount(registryCa.FullPath, RegistryCaTarget(r.Host), ReadOnly: true).ToString()));
        }

        volumes.Add("/certs/client");
        volumes.Add("/cache");

        return new RunnerEntry(
            settings.Runner.Concurrent,
            settings.Runner.Name,
            (url ?? settings.GitLab.Url).ToString().TrimEnd('/'),
            token,
            environment,
            new DockerSection(
                settings.Runner.DockerCliImage.ToString(),
                volumes,
                [.. settings.Runner.ExtraHosts.Select(h => $"{h.Host}:{h.Address}")],
                settings.Runner.Network ?? (settings.Server.Enabled ? ServerNetwork(settings) : null)));
    }

    /// <summary>In server mode, the compose project's network, where the jobs reach the local GitLab as <c>gitlab</c>.</summary>
    public static string ServerNetwork(BuildSettings settings) => settings.ComposeProjectName + "_default";

    public override string ToString() => $"RunnerEntry {{ Name = {Name}, Url = {Url}, Token = {Secret.Mask} }}";

    /// <summary>Where the DinD daemon reads a registry's CA: <c>/etc/docker/certs.d/&lt;host&gt;/ca.crt</c>.</summary>
    public static string RegistryCaTarget(string host) => $"/etc/docker/certs.d/{host}/ca.crt";

    /// <summary>True for a volume Register writes (a fixed target, or a registry CA under certs.d).</summary>
    public static bool IsOwnedVolume(string volume)
    {
        var target = VolumeTarget(volume);
        return OwnedVolumeTargets.Contains(target) || (target.StartsWith("/etc/docker/certs.d/", StringComparison.Ordinal) && target.EndsWith("/ca.crt", StringComparison.Ordinal));
    }

    /// <summary>The container path of a <c>src:dst[:mode]</c> or bare <c>dst</c> volume.</summary>
    public static string VolumeTarget(string volume)
    {
        var parts = volume.Split(':');
        return parts.Length == 1 ? parts[0] : parts[1];
    }
}

/// <summary>The owned keys of <c>[runners.docker]</c>; <c>privileged = true</c> is always written (the DinD service needs it).</summary>
public sealed record DockerSection(string Image, IReadOnlyList<string> Volumes, IReadOnlyList<string> ExtraHosts, string? NetworkMode);
