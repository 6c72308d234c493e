using System.Globalization;
using Build.Aws;
using Build.Fleet;
using Build.Settings;

namespace Build.RunnerConfig;

/// <summary>
/// GitLab's docker-autoscaler (FLEET=aws): <c>[runners.docker]</c> as for the Docker executor but with the worker's
/// paths (jobs run on a worker's daemon), and <c>[runners.autoscaler]</c> with the plugin, its <c>plugin_config</c>
/// (the group, and the manager's credentials file when there is one), <c>connector_config</c> and one idle policy.
/// </summary>
public static class AutoscalerExecutor
{
    public const string Name = "docker-autoscaler";
    public const string Section = "autoscaler";
    public const string PluginConfig = "autoscaler.plugin_config";
    public const string ConnectorConfig = "autoscaler.connector_config";
    public const string Policy = "autoscaler.policy";

    /// <summary>The plugin binary's name: with FLEET_PLUGIN_ARCHIVE, Up puts it on the runner's PATH and config.toml names it.</summary>
    public const string PluginBinary = "fleeting-plugin-aws";

    public static IReadOnlyList<string> Sections { get; } = [DockerExecutor.Section, Section, PluginConfig, ConnectorConfig, Policy];

    public static RunnerExecutor For(BuildSettings settings)
    {
        var fleet = settings.Fleet;
        var volumes = new List<string>();
        if (settings.Runner.DindAuth == DindAuth.Token)
        {
            // The worker's refresher renews this folder (a folder, not the file: the file is replaced by a rename).
            volumes.Add(new ContainerMount(WorkerPaths.TokenDocker, DockerExecutor.TokenTarget, ReadOnly: true).ToString());
        }
        else
        {
            // Helper mode: the worker's helper with the worker's instance role (IMDSv2 hop limit 2), no key file.
            volumes.Add(new ContainerMount(WorkerPaths.DindConfig, DockerExecutor.DindConfigTarget, ReadOnly: true).ToString());
            volumes.Add(new ContainerMount(WorkerPaths.Helper, DockerExecutor.HelperTarget, ReadOnly: true).ToString());
        }

        if (settings.Runner.RegistryCaBundle is not null)
        {
            volumes.AddRange(settings.Aws.Registries.Select(r => new ContainerMount(WorkerPaths.RegistryCa, DockerExecutor.RegistryCaTarget(r.Host), ReadOnly: true).ToString()));
        }

        volumes.Add("/certs/client");
        volumes.Add("/cache");
        var file = settings.Aws.CredentialsSource == CredentialsSource.File;
        return new RunnerExecutor(
            Name,
            [
                // RUNNER_NETWORK is a network of the manager's daemon: a worker has none of that name.
                DockerExecutor.DockerSection(settings, volumes, network: null),
                new RunnerSection(Section,
                [
                    Key("plugin", new OwnedValue.Text(fleet.PluginArchive is null ? fleet.Plugin : PluginBinary)),
                    Key("capacity_per_instance", new OwnedValue.Number(fleet.CapacityPerInstance)),
                    Key("max_use_count", new OwnedValue.Number(fleet.MaxUseCount)),
                    Key("max_instances", new OwnedValue.Number(fleet.MaxInstances)),
                ]),
                new RunnerSection(PluginConfig,
                [
                    Key("name", new OwnedValue.Text(fleet.GroupName ?? string.Empty)),
                    Key("profile", file ? new OwnedValue.Text(settings.Aws.Profile) : new OwnedValue.Absent()),
                    Key("credentials_file", file ? new OwnedValue.Text(RunnerCredentials.CredentialsTarget) : new OwnedValue.Absent()),
                ]),
                new RunnerSection(ConnectorConfig,
                [
                    Key("username", new OwnedValue.Text(fleet.SshUser)),
                    Key("use_external_addr", new OwnedValue.Flag(fleet.UseExternalAddress)),
                ]),
            ],
            [
                new RunnerSectionArray(Policy, [[Key("idle_count", new OwnedValue.Number(fleet.IdleCount)), Key("idle_time", new OwnedValue.Text(GoDuration(fleet.IdleTime)))]]),
            ]);
    }

    /// <summary>A duration as Go prints one, which the runner writes back: 20m0s, 1h30m0s, 45s.</summary>
    public static string GoDuration(TimeSpan time)
    {
        var hours = (int)time.TotalHours;
        return hours > 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{time.Minutes}m{time.Seconds}s")
            : time.Minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}m{time.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Seconds}s");
    }

    private static KeyValuePair<string, OwnedValue> Key(string name, OwnedValue value) => new(name, value);
}
