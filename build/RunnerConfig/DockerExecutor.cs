using Build.Aws;
using Build.Settings;

namespace Build.RunnerConfig;

/// <summary>
/// The Docker executor's part of the runner entry: <c>[runners.docker]</c> with the job image, <c>privileged = true</c>
/// (the DinD service needs it), the volumes Register owns beside the user's own (token mode: the token folder; helper
/// mode: DinD config.json, credentials, helper; both: registry CAs, <c>/certs/client</c>, <c>/cache</c>), extra hosts
/// and the network.
/// </summary>
public static class DockerExecutor
{
    public const string Name = "docker";
    public const string Section = "docker";
    public const string DindConfigTarget = "/root/.docker/config.json";
    public const string HelperTarget = "/usr/local/bin/docker-credential-ecr-login";

    /// <summary>Where token-mode jobs find the refresher's config.json: DOCKER_CONFIG.</summary>
    public const string TokenTarget = "/etc/gitlab-runner-ecr/docker";

    /// <summary>Container paths of the volumes Register writes; other volumes in the entry are the user's and stay.</summary>
    public static readonly IReadOnlySet<string> OwnedVolumeTargets = new HashSet<string>(StringComparer.Ordinal)
    {
        DindConfigTarget, TokenTarget, RunnerCredentials.CredentialsTarget, RunnerCredentials.CaBundleTarget, HelperTarget, "/certs/client", "/cache",
    };

    /// <summary>
    /// The executor for these settings. Token mode: jobs mount the refresher's folder, nothing else of ours. Helper mode:
    /// jobs get the credentials of <paramref name="credentials"/>, the helper and the DinD config at their host paths.
    /// </summary>
    public static RunnerExecutor For(BuildSettings settings, RunnerCredentials credentials, string helperBinary, string dindConfigFile)
    {
        var volumes = new List<string>();
        if (settings.Runner.DindAuth == DindAuth.Token)
        {
            // The folder, not config.json alone: the refresher replaces the file by a rename, and a bind mount of a single
            // file keeps the inode it started with, so a job running across a refresh would go on reading the old token.
            volumes.Add(new ContainerMount(State.StateLayout.Of(settings).DindTokenDocker, TokenTarget, ReadOnly: true).ToString());
        }
        else
        {
            volumes.Add(new ContainerMount(dindConfigFile, DindConfigTarget, ReadOnly: true).ToString());
            volumes.AddRange(credentials.Jobs.Mounts.Select(m => (m with { ReadOnly = true }).ToString()));
            volumes.Add(new ContainerMount(helperBinary, HelperTarget, ReadOnly: true).ToString());
        }

        if (settings.Runner.RegistryCaBundle is { } registryCa)
        {
            // The DinD service trusts the registry's CA (a mirror with a private CA) through its certs.d folder.
            volumes.AddRange(settings.Aws.Registries.Select(r => new ContainerMount(registryCa.FullPath, RegistryCaTarget(r.Host), ReadOnly: true).ToString()));
        }

        volumes.Add("/certs/client");
        volumes.Add("/cache");
        var network = settings.Runner.Network ?? (settings.Server.Enabled ? ServerNetwork(settings) : null);
        return new RunnerExecutor(Name, [DockerSection(settings, volumes, network)], []);
    }

    /// <summary><c>[runners.docker]</c> with these volumes (Register's; the user's are kept beside them) and network, for this executor and the autoscaler's.</summary>
    public static RunnerSection DockerSection(BuildSettings settings, IReadOnlyList<string> volumes, string? network)
    {
        var extraHosts = settings.Runner.ExtraHosts.Select(h => $"{h.Host}:{h.Address}").ToList();
        KeyValuePair<string, OwnedValue> Key(string name, OwnedValue value) => new(name, value);
        return new RunnerSection(Section,
        [
            Key("image", new OwnedValue.Text(settings.Runner.DockerCliImage.ToString())),
            Key("privileged", new OwnedValue.Flag(true)),
            Key("volumes", new OwnedValue.SharedList(volumes, IsOwnedVolume)),
            Key("extra_hosts", extraHosts.Count > 0 ? new OwnedValue.List(extraHosts) : new OwnedValue.Absent()),
            Key("network_mode", network is null ? new OwnedValue.Absent() : new OwnedValue.Text(network)),
        ]);
    }

    /// <summary>In server mode, the compose project's network, where the jobs reach the local GitLab as <c>gitlab</c>.</summary>
    public static string ServerNetwork(BuildSettings settings) => settings.ComposeProjectName + "_default";

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
