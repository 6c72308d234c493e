using System.Text.RegularExpressions;
using Build.Docker;
using Cake.Core.IO;

namespace Build.Settings;

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

    public static RunnerSettings Read(SettingsLayers s) => new()
    {
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
