using System.Globalization;
using System.Text.RegularExpressions;
using Build.Secrets;

namespace Build.Settings;

/// <summary>The patterns and parsers <see cref="BuildSettings.Load"/> checks each setting's text with.</summary>
public sealed partial class BuildSettings
{
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]*\z")]
    private static partial Regex ComposeName();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,254}\z")]
    private static partial Regex RunnerNamePattern();

    [GeneratedRegex(@"\A[0-9]+\.[0-9]+\.[0-9]+\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_.+-]+\z")]
    private static partial Regex ProfilePattern();

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]*\z")]
    private static partial Regex NetworkName();

    [GeneratedRegex(@"\A([0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+)\z")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex(@"\A(no|always|on-failure|unless-stopped)\z")]
    private static partial Regex RestartPolicy();

    [GeneratedRegex(@"\A(?=.{1,253}\z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostName();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(/[A-Za-z0-9_.~-]+)+\z")]
    private static partial Regex GoModulePattern();

    [GeneratedRegex(@"\A[\x21-\x7E]+\z")]
    private static partial Regex PrintableAscii();

    // GitLab keeps tag names up to 255 characters and splits tag lists at commas; quotes, brackets, spaces and
    // control characters are refused too, so a tag is a plain word wherever it is written (YAML, JSON, a log line).
    [GeneratedRegex(@"\A[A-Za-z0-9._:/-]{1,255}\z")]
    private static partial Regex RunnerTag();

    /// <summary>GitLab refuses a job with 50 tags or more, and the example pipeline gives every job all of RUNNER_TAGS.</summary>
    public const int MaximumRunnerTags = 49;

    private static IReadOnlyList<string> RunnerTagList(SettingsLayers s)
    {
        var tags = (s.Get(SettingCatalog.RunnerTags)?.Text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var bad = tags.Select((tag, index) => (Tag: tag, Number: index + 1)).FirstOrDefault(t => !RunnerTag().IsMatch(t.Tag));
        if (bad.Tag is not null)
        {
            var why = bad.Tag.Length > 255 ? $"is {bad.Tag.Length} characters long (GitLab keeps 255)" : "holds a character other than letters, digits, '.', '_', '-', ':' and '/'";
            s.Fail(SettingCatalog.RunnerTags, $"tag {bad.Number} (\"{Echo.Visible(bad.Tag.Length > 40 ? bad.Tag[..40] + "…" : bad.Tag)}\") {why}");
        }
        else if (tags.Count > MaximumRunnerTags)
        {
            s.Fail(SettingCatalog.RunnerTags, $"{tags.Count} tags; GitLab refuses a job with more than {MaximumRunnerTags}, and the example pipeline gives every job all of them");
        }

        return tags;
    }

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

    /// <summary>Why a GOPROXY list is refused, or null: each entry is direct, off, or an https://, http:// or file:// URL without user info.</summary>
    private static string? GoProxyProblem(string text)
    {
        foreach (var entry in text.Split(',', '|'))
        {
            if (entry is "direct" or "off")
            {
                continue;
            }

            if (!PrintableAscii().IsMatch(entry) || !Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "file") || (uri.Scheme != "file" && uri.Host.Length == 0))
            {
                return $"\"{Echo.Visible(Echo.Url(entry))}\" is not direct, off or an https://, http:// or file:// URL";
            }

            if (uri.UserInfo.Length > 0)
            {
                return "a proxy URL with user info (name:password@) would put it in docker's arguments and in error messages: use a proxy that needs no credentials in its URL, or a file:// folder of the modules";
            }
        }

        return null;
    }

    private const string DownloadUrlRule =
        "the binary and its .sha256 both come from this URL, so over http:// anyone on the network path could replace both: use https:// (http:// is taken only for a loopback host such as 127.0.0.1), without user info";

    private static Uri? ParseDownloadUrl(string text) => SettingParsers.HttpUrl(text) is { } uri && (uri.Scheme == "https" || uri.IsLoopback) ? uri : null;
}
