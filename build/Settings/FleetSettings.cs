using System.Text.RegularExpressions;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>FLEET: where jobs run.</summary>
public enum FleetMode
{
    /// <summary>On this machine, with the Docker executor.</summary>
    None,

    /// <summary>On the instances of an AWS Auto Scaling group, with GitLab's docker-autoscaler and its fleeting plugin.</summary>
    Aws,
}

/// <summary>
/// Scale-out (FLEET=aws): the runner becomes the manager of GitLab's docker-autoscaler on an Auto Scaling group. The
/// knobs users set on <c>[runners.autoscaler]</c>, the plugin pinned to a version, and what the workers' generated
/// files need (the SSH user, where they download the helper).
/// </summary>
public sealed partial record FleetSettings
{
    private FleetSettings()
    {
    }

    public required FleetMode Mode { get; init; }

    public bool Enabled => Mode == FleetMode.Aws;

    /// <summary>FLEET_ASG: the Auto Scaling group (Needs.Fleet asks for it when FLEET=aws).</summary>
    public required string? GroupName { get; init; }

    /// <summary>FLEET_PLUGIN: a plugin reference with a version constraint.</summary>
    public required string Plugin { get; init; }

    /// <summary>FLEET_PLUGIN_ARCHIVE: a local archive of the plugin binary, installed instead of FLEET_PLUGIN (air-gapped).</summary>
    public required FilePath? PluginArchive { get; init; }

    public required int MaxInstances { get; init; }

    public required int CapacityPerInstance { get; init; }

    /// <summary>FLEET_MAX_USE_COUNT: jobs per instance before it is replaced; 0 for no limit.</summary>
    public required int MaxUseCount { get; init; }

    public required int IdleCount { get; init; }

    public required TimeSpan IdleTime { get; init; }

    public required string SshUser { get; init; }

    public required bool UseExternalAddress { get; init; }

    /// <summary>FLEET_HELPER_URL: the base the workers download the helper from (Needs.Fleet asks for it when FLEET=aws).</summary>
    public required Uri? HelperUrl { get; init; }

    /// <summary>FLEET_SSH_KEY: the private key SmokeTest's fleet mode connects with (Needs.SmokeTestFleet checks it).</summary>
    public required FilePath? SshKey { get; init; }

    /// <summary>The longest idle time accepted: an idle instance costs money every hour.</summary>
    public static readonly TimeSpan MaximumIdleTime = TimeSpan.FromHours(24);

    public static FleetSettings Read(SettingsLayers s)
    {
        var settings = new FleetSettings
        {
            Mode = s.Defaulted(SettingCatalog.Fleet, text => text.Trim() switch { "none" => FleetMode.None, "aws" => FleetMode.Aws, _ => (FleetMode?)null }),
            GroupName = s.Parse(SettingCatalog.FleetAsg, SettingParsers.Matching(GroupPattern())),
            Plugin = s.Defaulted(SettingCatalog.FleetPlugin, ParsePlugin, PluginReason(s.Get(SettingCatalog.FleetPlugin)?.Text)),
            PluginArchive = s.File(SettingCatalog.FleetPluginArchive),
            MaxInstances = s.Defaulted(SettingCatalog.FleetMaxInstances, text => SettingParsers.WholeNumber(text, 1, 1000)),
            CapacityPerInstance = s.Defaulted(SettingCatalog.FleetCapacityPerInstance, text => SettingParsers.WholeNumber(text, 1, 100)),
            MaxUseCount = s.Defaulted(SettingCatalog.FleetMaxUseCount, text => SettingParsers.WholeNumber(text, 0, 100_000)),
            IdleCount = s.Defaulted(SettingCatalog.FleetIdleCount, text => SettingParsers.WholeNumber(text, 0, 100_000)),
            IdleTime = s.Defaulted(SettingCatalog.FleetIdleTime, text => SettingParsers.Duration(text) is { } time && time <= MaximumIdleTime ? time : (TimeSpan?)null),
            SshUser = s.Defaulted(SettingCatalog.FleetSshUser, SettingParsers.Matching(UserPattern())),
            UseExternalAddress = s.Flag(SettingCatalog.FleetUseExternalAddr),
            HelperUrl = s.Parse(SettingCatalog.FleetHelperUrl, SettingParsers.HttpUrl),
            SshKey = s.File(SettingCatalog.FleetSshKey),
        };

        // A refused number reads 0 and is reported already.
        var slots = settings.MaxInstances * settings.CapacityPerInstance;
        if (slots > 0 && settings.IdleCount > slots)
        {
            s.Fail(SettingCatalog.FleetIdleCount, $"the fleet has {slots} job slots (FLEET_MAX_INSTANCES {settings.MaxInstances} x FLEET_CAPACITY_PER_INSTANCE {settings.CapacityPerInstance}), so that many idle ones can never be reached: lower it or raise FLEET_MAX_INSTANCES");
        }

        if (settings.PluginArchive is { } archive && !archive.FullPath.EndsWith(".tar.gz", StringComparison.Ordinal) && !archive.FullPath.EndsWith(".tgz", StringComparison.Ordinal))
        {
            s.Fail(SettingCatalog.FleetPluginArchive, "Up unpacks the plugin binary from a gzip-compressed tar archive (.tar.gz or .tgz)");
        }

        return settings;
    }

    private static string? ParsePlugin(string text) => PluginPattern().IsMatch(text.Trim()) ? text.Trim() : null;

    private static string? PluginReason(string? text) =>
        text is not null && !PluginPattern().IsMatch(text.Trim()) && UnpinnedPattern().IsMatch(text.Trim())
            ? "pin a version (aws:1.1, say): without one, or with latest, the next plugin release would change a running fleet when Up installs it"
            : null;

    // [registry[:port]/]repository/.../name:<major>[.<minor>[.<patch>]]
    [GeneratedRegex(@"\A(?:[a-z0-9.-]+(?::[0-9]{1,5})?/)?(?:[a-z0-9._-]+/)*[a-z0-9._-]+:[0-9]{1,4}(?:\.[0-9]{1,4}){0,2}\z")]
    private static partial Regex PluginPattern();

    [GeneratedRegex(@"\A(?:[a-z0-9.-]+(?::[0-9]{1,5})?/)?(?:[a-z0-9._-]+/)*[a-z0-9._-]+(?::latest)?\z")]
    private static partial Regex UnpinnedPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,254}\z")]
    private static partial Regex GroupPattern();

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z")]
    private static partial Regex UserPattern();
}
