using System.Text.RegularExpressions;
using Build.Docker;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>DIND_AUTH: how DinD jobs authenticate to ECR.</summary>
public enum DindAuth
{
    /// <summary>A read-only docker config.json of short-lived ECR tokens, renewed by the refresher service.</summary>
    Token,

    /// <summary>The helper and the runner's credentials, mounted into every job.</summary>
    Helper,
}

/// <summary>The runner container, its config.toml entry, and what its jobs run with.</summary>
public sealed partial record RunnerSettings
{
    private RunnerSettings()
    {
    }

    /// <summary>RUNNER_NAME: the entry's name in config.toml and in GitLab.</summary>
    public required string Name { get; init; }

    public required ImageReference Image { get; init; }

    /// <summary>DIND_IMAGE: the Docker-in-Docker service of the example pipeline and SmokeTest.</summary>
    public required ImageReference DindImage { get; init; }

    /// <summary>DOCKER_CLI_IMAGE: the jobs' default image, with the docker CLI.</summary>
    public required ImageReference DockerCliImage { get; init; }

    /// <summary>RUNNER_CONCURRENT; null keeps the file's value.</summary>
    public required int? Concurrent { get; init; }

    /// <summary>RUNNER_EXTRA_HOSTS: host name and address pairs for the runner's and the jobs' /etc/hosts.</summary>
    public required IReadOnlyList<(string Host, string Address)> ExtraHosts { get; init; }

    public required string? Network { get; init; }

    public required string RestartPolicy { get; init; }

    /// <summary>REGISTRY_CA_BUNDLE: a CA the jobs' DinD service trusts for every registry host (Register mounts it).</summary>
    public required FilePath? RegistryCaBundle { get; init; }

    /// <summary>DIND_AUTH: short-lived tokens in a read-only config.json (token), or the helper with the runner's credentials (helper).</summary>
    public required DindAuth DindAuth { get; init; }

    /// <summary>DIND_TOKEN_REFRESH: how often the refresher renews the jobs' tokens (token mode).</summary>
    public required TimeSpan DindTokenRefresh { get; init; }

    /// <summary>The shortest refresh interval: tests use a few seconds; each refresh asks ECR once per registry.</summary>
    public static readonly TimeSpan MinimumTokenRefresh = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The interval must stay under this: a token lasts 12 h and may be up to one interval old when a job reads it, so
    /// under 11 h every job starts with at least an hour of token left (GitLab's default job timeout).
    /// </summary>
    public static readonly TimeSpan MaximumTokenRefresh = TimeSpan.FromHours(11);

    public static RunnerSettings Read(SettingsLayers s) => new()
    {
        DindAuth = s.Defaulted(SettingCatalog.DindAuth, text => text.Trim() switch { "token" => Settings.DindAuth.Token, "helper" => Settings.DindAuth.Helper, _ => (DindAuth?)null }),
        DindTokenRefresh = s.Defaulted(SettingCatalog.DindTokenRefresh, RefreshInterval, RefreshReason(s.Get(SettingCatalog.DindTokenRefresh)?.Text)),
        Name = s.Defaulted(SettingCatalog.RunnerName, SettingParsers.Matching(NamePattern())),
        Image = s.Defaulted(SettingCatalog.RunnerImage, SettingParsers.Image),
        DindImage = s.Defaulted(SettingCatalog.DindImage, SettingParsers.Image),
        DockerCliImage = s.Defaulted(SettingCatalog.DockerCliImage, SettingParsers.Image),
        Concurrent = s.Parse(SettingCatalog.RunnerConcurrent, text => SettingParsers.WholeNumber(text, 1, 1000)),
        ExtraHosts = s.Parse(SettingCatalog.RunnerExtraHosts, ParseExtraHosts) ?? [],
        Network = s.Parse(SettingCatalog.RunnerNetwork, SettingParsers.Matching(NetworkName())),
        RestartPolicy = s.Defaulted(SettingCatalog.RunnerRestartPolicy, SettingParsers.Matching(RestartPolicies())),
        RegistryCaBundle = s.File(SettingCatalog.RegistryCaBundle),
    };

    private static TimeSpan? RefreshInterval(string text) =>
        SettingParsers.Duration(text) is { } interval && interval >= MinimumTokenRefresh && interval < MaximumTokenRefresh ? interval : null;

    /// <summary>Why an interval of the right shape is refused: its bound, and what the bound protects.</summary>
    private static string? RefreshReason(string? text) => text is null || SettingParsers.Duration(text) is not { } interval ? null
        : interval >= MaximumTokenRefresh ? "ECR tokens last 12 h and a job may read one a whole interval after it was obtained: under 11 h, every job starts with at least 1 h of token left"
        : interval < MinimumTokenRefresh ? "each refresh asks ECR once per registry; 5 s is the shortest interval (meant for tests)"
        : null;

    private static IReadOnlyList<(string Host, string Address)>? ParseExtraHosts(string text)
    {
        var entries = new List<(string, string)>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // host:ip, where an IPv6 address has colons of its own: split at the first colon.
            var colon = entry.IndexOf(':');
            if (colon <= 0 || !HostName().IsMatch(entry[..colon]) || !System.Net.IPAddress.TryParse(entry[(colon + 1)..].Trim('[', ']'), out _))
            {
                return null;
            }

            entries.Add((entry[..colon], entry[(colon + 1)..].Trim('[', ']')));
        }

        return entries;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,254}\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]*\z")]
    private static partial Regex NetworkName();

    [GeneratedRegex(@"\A(no|always|on-failure|unless-stopped)\z")]
    private static partial Regex RestartPolicies();

    [GeneratedRegex(@"\A(?=.{1,253}\z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostName();
}
