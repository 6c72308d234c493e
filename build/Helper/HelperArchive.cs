using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Build.Helper;

/// <summary>What an upstream release source archive says of itself: its version and whether it vendors its modules.</summary>
public static partial class HelperArchive
{
    [GeneratedRegex(@"-([0-9]+\.[0-9]+\.[0-9]+)\z")]
    private static partial Regex PrefixVersion();

    /// <summary>Checks the archive is the source of <paramref name="version"/> with <c>ecr-login/vendor/</c>; throws a <see cref="BuildFailure"/> naming HELPER_ARCHIVE otherwise.</summary>
    public static void Check(string path, string version)
    {
        if (!File.Exists(path))
        {
            throw new BuildFailure($"HELPER_ARCHIVE {path} does not exist", "set HELPER_ARCHIVE to the release source archive (amazon-ecr-credential-helper-<version>.tar.gz)");
        }

        string? prefix = null, versionFile = null;
        var vendored = false;
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes || entry.Name.Length == 0)
                {
                    continue;
                }

                var name = entry.Name.TrimStart('.', '/');
                prefix ??= name.Split('/')[0];
                var relative = name.StartsWith(prefix + "/", StringComparison.Ordinal) ? name[(prefix.Length + 1)..] : name;
                vendored |= relative.StartsWith("ecr-login/vendor/", StringComparison.Ordinal);
                if (relative == "VERSION" && entry.DataStream is { } data)
                {
                    versionFile = new StreamReader(data).ReadToEnd().Trim();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BuildFailure($"HELPER_ARCHIVE {path} is not a readable .tar.gz ({ex.Message})", "point HELPER_ARCHIVE at the release source archive (.tar.gz) as downloaded", ex);
        }

        var found = versionFile ?? (prefix is not null && PrefixVersion().Match(prefix) is { Success: true } m ? m.Groups[1].Value : null);
        if (found is null || !vendored)
        {
            throw new BuildFailure(
                $"HELPER_ARCHIVE {path} is not an amazon-ecr-credential-helper source archive with vendored modules (no VERSION file or ecr-login/vendor/)",
                "use the upstream source archive of the release, or HELPER_SOURCE=build where a Go module proxy is reachable");
        }

        if (found != version)
        {
            throw new BuildFailure($"HELPER_ARCHIVE {path} holds version {found}, but HELPER_VERSION is {version}", $"set HELPER_VERSION={found}, or point HELPER_ARCHIVE at the {version} source archive");
        }
    }
}
