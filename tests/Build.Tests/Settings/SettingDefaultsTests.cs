using System.Globalization;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

/// <summary>
/// SettingCatalog is the one place defaults live: every setting lands in the settings object, takes the catalog's
/// default when nothing sets it, and follows its text when something does.
/// </summary>
public sealed class SettingDefaultsTests
{
    private const string Root = "/repo";

    /// <summary>A setting, another valid text for it, where the loaded settings keep it, and that value read independently from a text.</summary>
    private sealed record Row(SettingDefinition Setting, string Other, Func<BuildSettings, object?> Read, Func<string, object?>? Expect = null)
    {
        public object? Parsed(string text) => (Expect ?? (t => t))(text);
    }

    private static readonly Row[] Rows =
    [
        new(SettingCatalog.StateDir, "/srv/state", s => s.StateDirectory.FullPath, Absolute),
        new(SettingCatalog.ComposeProjectName, "other-project", s => s.ComposeProjectName),
        new(SettingCatalog.RunnerName, "other-runner", s => s.Runner.Name),
        new(SettingCatalog.RunnerImage, "gitlab/gitlab-runner:v18.0.0", s => s.Runner.Image.ToString()),
        new(SettingCatalog.DindImage, "docker:28-dind", s => s.Runner.DindImage.ToString()),
        new(SettingCatalog.DockerCliImage, "docker:28-cli", s => s.Runner.DockerCliImage.ToString()),
        new(SettingCatalog.CredentialsSource, "instance-role", s => s.Aws.CredentialsSource, t => Enum.Parse<CredentialsSource>(t.Replace("-", string.Empty), ignoreCase: true)),
        new(SettingCatalog.CredentialsFile, "/home/me/aws/credentials", s => s.Aws.CredentialsFile?.FullPath, Absolute),
        new(SettingCatalog.AwsProfile, "ci", s => s.Aws.Profile),
        new(SettingCatalog.AwsAccessKeyId, "AKIAIOSFODNN7EXAMPLE", s => s.Aws.AccessKeyId?.Reveal()),
        new(SettingCatalog.AwsSecretAccessKey, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", s => s.Aws.SecretAccessKey?.Reveal()),
        new(SettingCatalog.AwsSessionToken, "IQoJb3JpZ2luX2VjEXAMPLE", s => s.Aws.SessionToken?.Reveal()),
        new(SettingCatalog.AwsRegion, "eu-west-1", s => s.Aws.Region),
        new(SettingCatalog.Registries, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", s => Joined(s.Aws.Registries.Select(r => r.Host))),
        new(SettingCatalog.PrivateImage, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", s => s.Aws.PrivateImage?.ToString()),
        new(SettingCatalog.PublicImage, "public.ecr.aws/docker/library/alpine:3.20", s => s.Aws.PublicImage?.ToString()),
        new(SettingCatalog.PullThroughCache, "docker-hub=registry-1.docker.io,quay=quay.io", s => Joined(s.Aws.PullThrough.Rules.Select(r => r.ToString()))),
        new(SettingCatalog.PullThroughRegistry, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", s => s.Aws.PullThrough.Registry?.Host),
        new(SettingCatalog.PullThroughProbeImage, "alpine:3.20", s => s.Aws.PullThrough.ProbeImage?.ToString(), t => "registry-1.docker.io/library/" + t),
        new(SettingCatalog.MirrorImage, "alpine:3.20,ghcr.io/org/tool:1", s => Joined(s.Aws.PullThrough.MirrorImages.Select(i => i.ToString()))),
        new(SettingCatalog.StsEndpoint, "https://sts.eu-west-1.amazonaws.com/", s => s.Aws.StsEndpoint?.ToString()),
        new(SettingCatalog.CaBundle, "/etc/ssl/aws.pem", s => s.Aws.CaBundle?.FullPath, Absolute),
        new(SettingCatalog.WriteCredentialsFromEnv, "true", s => s.Aws.WriteCredentialsFromEnv, Flag),
        new(SettingCatalog.FixCredentialsMode, "true", s => s.Aws.FixCredentialsMode, Flag),
        new(SettingCatalog.HelperVersion, "0.11.0", s => s.Helper.Version),
        new(SettingCatalog.HelperSource, "download", s => s.Helper.Source, t => Enum.Parse<HelperSource>(t, ignoreCase: true)),
        new(SettingCatalog.HelperPath, "/opt/helper/docker-credential-ecr-login", s => s.Helper.Path?.FullPath, Absolute),
        new(SettingCatalog.HelperPlatforms, "linux/arm64", s => Joined(s.Helper.Platforms)),
        new(SettingCatalog.HelperGoImage, "golang:1.25.0-alpine", s => s.Helper.GoImage.ToString()),
        new(SettingCatalog.HelperModule, "example.com/fork/amazon-ecr-credential-helper", s => s.Helper.Module),
        new(SettingCatalog.HelperGoProxy, "off", s => s.Helper.GoProxy),
        new(SettingCatalog.HelperArchive, "/opt/helper/v0.12.0.tar.gz", s => s.Helper.Archive?.FullPath, Absolute),
        new(SettingCatalog.HelperDownloadUrl, "https://mirror.example.com/helper", s => s.Helper.DownloadUrl.ToString(), t => new Uri(t).ToString()),
        new(SettingCatalog.UseCredsStore, "true", s => s.Helper.UseCredsStore, Flag),
        new(SettingCatalog.DindAuth, "helper", s => s.Runner.DindAuth, t => Enum.Parse<DindAuth>(t, ignoreCase: true)),
        new(SettingCatalog.DindTokenRefresh, "30m", s => s.Runner.DindTokenRefresh, t => t.EndsWith('h') ? TimeSpan.FromHours(int.Parse(t[..^1], CultureInfo.InvariantCulture)) : TimeSpan.FromMinutes(int.Parse(t[..^1], CultureInfo.InvariantCulture))),
        new(SettingCatalog.GitLabUrl, "https://gitlab.example.com", s => s.GitLab.Url.ToString(), t => new Uri(t).ToString()),
        new(SettingCatalog.RunnerToken, "glrt-runnertoken0123456789", s => s.GitLab.RunnerToken?.Reveal()),
        new(SettingCatalog.GitLabToken, "glpat-personal0123456789", s => s.GitLab.PersonalToken?.Reveal()),
        new(SettingCatalog.RegistrationToken, "GR1348941registration01234", s => s.GitLab.RegistrationToken?.Reveal()),
        new(SettingCatalog.GitLabProject, "group/project", s => s.GitLab.Project),
        new(SettingCatalog.RunnerTags, "ecr,docker", s => Joined(s.GitLab.RunnerTags)),
        new(SettingCatalog.RunnerRunUntagged, "false", s => s.GitLab.RunUntagged, Flag),
        new(SettingCatalog.RunnerDescription, "the ECR runner", s => s.GitLab.RunnerDescription),
        new(SettingCatalog.RunnerConcurrent, "4", s => s.Runner.Concurrent, Number),
        new(SettingCatalog.GitLabCaBundle, "/etc/ssl/gitlab.pem", s => s.GitLab.CaBundle?.FullPath, Absolute),
        new(SettingCatalog.RunnerExtraHosts, "mirror.internal:10.0.0.5", s => Joined(s.Runner.ExtraHosts.Select(h => $"{h.Host}:{h.Address}"))),
        new(SettingCatalog.RunnerNetwork, "lab-net", s => s.Runner.Network),
        new(SettingCatalog.RunnerRestartPolicy, "always", s => s.Runner.RestartPolicy),
        new(SettingCatalog.ImagePull, "never", s => s.PullMissingImages, t => t == "missing"),
        new(SettingCatalog.Server, "true", s => s.Server.Enabled, Flag),
        new(SettingCatalog.ServerImage, "gitlab/gitlab-ce:18.0.0-ce.0", s => s.Server.Image.ToString()),
        new(SettingCatalog.ServerWebPort, "8801", s => s.Server.WebPort, Number),
        new(SettingCatalog.ServerSshPort, "2201", s => s.Server.SshPort, Number),
        new(SettingCatalog.ServerTimeout, "60", s => s.Server.Timeout, Seconds),
        new(SettingCatalog.ServerProject, "other-smoke", s => s.Server.Project),
        new(SettingCatalog.CleanDryRun, "true", s => s.Clean.DryRun, Flag),
        new(SettingCatalog.CleanServerData, "true", s => s.Clean.ServerData, Flag),
        new(SettingCatalog.CleanBackups, "true", s => s.Clean.Backups, Flag),
        new(SettingCatalog.CleanImages, "true", s => s.Clean.Images, Flag),
        new(SettingCatalog.DindPrivileged, "false", s => s.Smoke.DindPrivileged, Flag),
        new(SettingCatalog.RegistryCaBundle, "/etc/ssl/mirror.pem", s => s.Runner.RegistryCaBundle?.FullPath, Absolute),
        new(SettingCatalog.PipelineBranch, "ci/other", s => s.Smoke.PipelineBranch),
        new(SettingCatalog.PipelineTimeout, "60", s => s.Smoke.PipelineTimeout, Seconds),
        new(SettingCatalog.PipelinePendingTimeout, "30", s => s.Smoke.PipelinePendingTimeout, Seconds),
        new(SettingCatalog.PipelinePollInterval, "0.5", s => s.Smoke.PipelinePollInterval, Seconds),
        new(SettingCatalog.DiagnoseConfig, "/etc/gitlab-runner/config.toml", s => s.Diagnose.Config?.FullPath, Absolute),
        new(SettingCatalog.DiagnoseContainer, "gitlab-runner", s => s.Diagnose.Container),
        new(SettingCatalog.DiagnoseFormat, "json", s => s.Diagnose.Json, t => t == "json"),
        new(SettingCatalog.Fleet, "aws", s => s.Fleet.Mode, t => Enum.Parse<FleetMode>(t, ignoreCase: true)),
        new(SettingCatalog.FleetAsg, "ci-workers", s => s.Fleet.GroupName),
        new(SettingCatalog.FleetPlugin, "registry.example.com/fleeting/aws:1.0.3", s => s.Fleet.Plugin),
        new(SettingCatalog.FleetPluginArchive, "/srv/fleeting-plugin-aws.tar.gz", s => s.Fleet.PluginArchive?.FullPath, Absolute),
        new(SettingCatalog.FleetMaxInstances, "3", s => s.Fleet.MaxInstances, Number),
        new(SettingCatalog.FleetCapacityPerInstance, "4", s => s.Fleet.CapacityPerInstance, Number),
        new(SettingCatalog.FleetMaxUseCount, "0", s => s.Fleet.MaxUseCount, Number),
        new(SettingCatalog.FleetIdleCount, "2", s => s.Fleet.IdleCount, Number),
        new(SettingCatalog.FleetIdleTime, "90s", s => s.Fleet.IdleTime, t => t.EndsWith('m') ? TimeSpan.FromMinutes(int.Parse(t[..^1], CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(int.Parse(t[..^1], CultureInfo.InvariantCulture))),
        new(SettingCatalog.FleetSshUser, "ubuntu", s => s.Fleet.SshUser),
        new(SettingCatalog.FleetUseExternalAddr, "true", s => s.Fleet.UseExternalAddress, Flag),
        new(SettingCatalog.FleetHelperUrl, "https://helpers.example.com/ecr", s => s.Fleet.HelperUrl, t => new Uri(t)),
        new(SettingCatalog.FleetSshKey, "/home/ci/.ssh/fleet_ed25519", s => s.Fleet.SshKey?.FullPath, Absolute),
    ];

    public static TheoryData<string> Keys => new(SettingCatalog.All.Select(d => d.Key));

    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath(Root), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    private static Row RowOf(string key) => Rows.Single(r => r.Setting.Key == key);

    [Fact]
    public void Every_setting_of_the_catalog_has_a_row_in_catalog_order()
    {
        Assert.Equal(SettingCatalog.All.Select(d => d.Key), Rows.Select(r => r.Setting.Key));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_setting_nothing_sets_takes_the_catalog_default(string key)
    {
        var row = RowOf(key);

        var loaded = row.Read(Load([]));

        Assert.Equal(row.Setting.Default is { } text ? row.Parsed(text) : null, loaded);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_setting_set_to_another_value_takes_that_value(string key)
    {
        var row = RowOf(key);

        var loaded = row.Read(Load(new() { [key] = row.Other }));

        Assert.Equal(row.Parsed(row.Other), loaded);
        Assert.NotEqual(row.Read(Load([])), loaded);
    }

    [Fact]
    public void A_setting_without_a_default_cannot_be_read_as_one_that_always_has_a_value()
    {
        var layers = SettingsLayers.Resolve(new DirectoryPath(Root), new DirectoryPath(Root), new Dictionary<string, string>(), _ => null, null);

        var error = Assert.Throws<InvalidOperationException>(() => layers.Defaulted(SettingCatalog.RunnerNetwork, text => text));

        Assert.Contains("RUNNER_NETWORK has no default", error.Message);
    }

    private static object? Absolute(string text) => System.IO.Path.GetFullPath(text, Root);

    private static object? Flag(string text) => bool.Parse(text);

    private static object? Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static object? Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

    /// <summary>A list as one comparable text; null when empty, as an unset setting without a default reads.</summary>
    private static string? Joined(IEnumerable<string> items) => string.Join(',', items) is { Length: > 0 } text ? text : null;
}
