using System.Text.RegularExpressions;
using Build.Docker;
using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

public enum HelperSource
{
    Build,
    Archive,
    Download,
    Path,
}

/// <summary>How the static docker-credential-ecr-login helper is obtained, and how Docker is told to call it.</summary>
public sealed partial record HelperSettings
{
    private HelperSettings()
    {
    }

    public required string Version { get; init; }

    public required HelperSource Source { get; init; }

    /// <summary>HELPER_PATH: an existing binary (HELPER_SOURCE=path).</summary>
    public required FilePath? Path { get; init; }

    public required IReadOnlyList<string> Platforms { get; init; }

    /// <summary>HELPER_GO_IMAGE: the Go toolchain the build and archive sources compile in.</summary>
    public required ImageReference GoImage { get; init; }

    /// <summary>HELPER_MODULE: the module the build source installs the helper from.</summary>
    public required string Module { get; init; }

    /// <summary>HELPER_GOPROXY: the build source's GOPROXY list.</summary>
    public required string GoProxy { get; init; }

    /// <summary>HELPER_ARCHIVE: the release source archive (HELPER_SOURCE=archive).</summary>
    public required FilePath? Archive { get; init; }

    /// <summary>HELPER_DOWNLOAD_URL: the base of the release files (HELPER_SOURCE=download).</summary>
    public required Uri DownloadUrl { get; init; }

    /// <summary>USE_CREDS_STORE: Docker calls the helper through credsStore instead of one credHelpers entry per registry.</summary>
    public required bool UseCredsStore { get; init; }

    public static HelperSettings Read(SettingsLayers s)
    {
        var platforms = s.List(SettingCatalog.HelperPlatforms);
        if (platforms.Count == 0 || platforms.Any(p => p is not ("linux/amd64" or "linux/arm64")))
        {
            s.Fail(SettingCatalog.HelperPlatforms);
        }

        var settings = new HelperSettings
        {
            Version = s.Defaulted(SettingCatalog.HelperVersion, SettingParsers.Matching(VersionPattern())),
            Source = s.Defaulted(SettingCatalog.HelperSource, ParseSource),
            Path = s.File(SettingCatalog.HelperPath),
            Platforms = platforms.Distinct().ToList(),
            GoImage = s.Defaulted(SettingCatalog.HelperGoImage, SettingParsers.Image),
            Module = s.Defaulted(SettingCatalog.HelperModule, SettingParsers.Matching(GoModulePattern())),
            GoProxy = s.Defaulted(SettingCatalog.HelperGoProxy, text => text),
            Archive = s.File(SettingCatalog.HelperArchive),
            DownloadUrl = s.Defaulted(SettingCatalog.HelperDownloadUrl, ParseDownloadUrl, DownloadUrlRule),
            UseCredsStore = s.Flag(SettingCatalog.UseCredsStore),
        };

        if (GoProxyProblem(settings.GoProxy) is { } goProxyProblem)
        {
            s.Fail(SettingCatalog.HelperGoProxy, goProxyProblem);
        }

        if (settings.Source == HelperSource.Path && settings.Path is null)
        {
            s.Fail(SettingCatalog.HelperPath, "HELPER_SOURCE=path needs the path of the helper binary");
        }

        if (settings.Source == HelperSource.Path && settings.Path is not null && settings.Platforms.Count > 1)
        {
            s.Fail(SettingCatalog.HelperPlatforms, "HELPER_SOURCE=path takes one binary, so name the one platform it is for (linux/amd64 or linux/arm64)");
        }

        if (settings.Source == HelperSource.Archive && settings.Archive is null)
        {
            s.Fail(SettingCatalog.HelperArchive, "HELPER_SOURCE=archive needs the path of the release source archive (.tar.gz)");
        }

        return settings;
    }

    private static HelperSource? ParseSource(string text) => text.Trim().ToLowerInvariant() switch
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

    [GeneratedRegex(@"\A[0-9]+\.[0-9]+\.[0-9]+\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(/[A-Za-z0-9_.~-]+)+\z")]
    private static partial Regex GoModulePattern();

    [GeneratedRegex(@"\A[\x21-\x7E]+\z")]
    private static partial Regex PrintableAscii();
}
