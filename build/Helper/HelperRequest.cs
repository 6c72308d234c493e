using Build.Settings;

namespace Build.Helper;

/// <summary>What the settings ask the helper output to be: the fields a matching manifest must carry.</summary>
public sealed record HelperRequest(HelperSource Source, string Version, string Origin, string? OriginSha256, string? GoImage, IReadOnlyList<HelperPlatform> Platforms)
{
    public static HelperRequest From(BuildSettings settings)
    {
        var platforms = settings.Helper.Platforms.Select(HelperPlatform.Parse).ToList();
        var goImage = settings.Helper.Source is HelperSource.Build or HelperSource.Archive ? settings.Helper.GoImage.ToString() : null;
        return settings.Helper.Source switch
        {
            HelperSource.Build => new(HelperSource.Build, settings.Helper.Version, settings.Helper.Module, null, goImage, platforms),
            HelperSource.Archive => FromFile(settings, settings.Helper.Archive!.FullPath, goImage, platforms),
            HelperSource.Download => new(HelperSource.Download, settings.Helper.Version, settings.Helper.DownloadUrl.ToString().TrimEnd('/'), null, null, platforms),
            _ => FromFile(settings, settings.Helper.Path!.FullPath, null, platforms),
        };
    }

    public string SourceName => Source.ToString().ToLowerInvariant();

    /// <summary>"0.12.0 linux/amd64,linux/arm64": what is asked for, as the log says it before it is made.</summary>
    public string Describe() => $"{Version} {string.Join(',', Platforms)}";

    /// <summary>Null when the manifest is this request's, otherwise what differs.</summary>
    public string? Mismatch(HelperManifest manifest)
    {
        (string Name, string? Was, string? Now)[] fields =
        [
            ("source", manifest.Source, SourceName), ("HELPER_VERSION", manifest.MadeFor, Version), ("origin", manifest.Origin, Origin),
            ("input sha256", manifest.OriginSha256, OriginSha256), ("Go image", manifest.GoImage, GoImage),
            ("platforms", string.Join(',', manifest.Binaries.Select(b => b.Platform).Order()), string.Join(',', Platforms.Select(p => p.Name).Order())),
        ];
        return fields.Where(f => f.Was != f.Now).Select(f => $"{f.Name} {f.Was ?? "(none)"} -> {f.Now ?? "(none)"}").FirstOrDefault();
    }

    // A missing input file hashes as null here; the source itself then fails with the setting's name.
    private static HelperRequest FromFile(BuildSettings settings, string path, string? goImage, IReadOnlyList<HelperPlatform> platforms) =>
        new(settings.Helper.Source, settings.Helper.Version, path, File.Exists(path) ? FileHash.Sha256(path) : null, goImage, platforms);
}
