using System.Text.RegularExpressions;

namespace Build.Settings;

/// <summary>The patterns and parsers <see cref="BuildSettings.Load"/> checks each setting's text with.</summary>
public sealed partial class BuildSettings
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex ComposeName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")]
    private static partial Regex RunnerNamePattern();

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.+-]+$")]
    private static partial Regex ProfilePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NetworkName();

    [GeneratedRegex(@"^(\d+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+)$")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex ServerProjectPattern();

    [GeneratedRegex(@"^(no|always|on-failure|unless-stopped)$")]
    private static partial Regex RestartPolicy();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(/[A-Za-z0-9_.~-]+)+$")]
    private static partial Regex GoModulePattern();

    [GeneratedRegex(@"^(direct|off|(https?|file)://[^\s,|]+)([,|](direct|off|(https?|file)://[^\s,|]+))*$")]
    private static partial Regex GoProxyPattern();

    [GeneratedRegex(@"^(?!/)(?!.*//)(?!.*\.\.)(?!.*/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}$")]
    private static partial Regex BranchPattern();

    private static TimeSpan? WholeSeconds(string text, int minimum, int maximum) =>
        int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= maximum ? TimeSpan.FromSeconds(n) : null;

    private static TimeSpan? PollSeconds(string text) =>
        double.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0.1 && n <= 60 ? TimeSpan.FromSeconds(n) : null;

    private static bool? ParseBool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };

    private static CredentialsSource? ParseCredentialsSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "file" => CredentialsSource.File,
        "instance-role" or "instance" or "imds" => CredentialsSource.InstanceRole,
        "environment" or "env" => CredentialsSource.Environment,
        _ => null,
    };

    private static HelperSource? ParseHelperSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "build" => HelperSource.Build,
        "archive" => HelperSource.Archive,
        "download" => HelperSource.Download,
        "path" => HelperSource.Path,
        _ => null,
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

    private static Uri? ParseHttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.UserInfo.Length == 0 ? uri : null;
}
