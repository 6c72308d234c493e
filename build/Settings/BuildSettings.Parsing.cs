using System.Globalization;
using System.Text.RegularExpressions;
using Build.Secrets;

namespace Build.Settings;

/// <summary>The patterns and parsers <see cref="BuildSettings.Load"/> checks each setting's text with.</summary>
public sealed partial class BuildSettings
{
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]*\z")]
    private static partial Regex ComposeName();

    [GeneratedRegex(@"\A[0-9]+\.[0-9]+\.[0-9]+\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_.+-]+\z")]
    private static partial Regex ProfilePattern();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(/[A-Za-z0-9_.~-]+)+\z")]
    private static partial Regex GoModulePattern();

    [GeneratedRegex(@"\A[\x21-\x7E]+\z")]
    private static partial Regex PrintableAscii();

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
