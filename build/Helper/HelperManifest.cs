using System.Text.Json;
using System.Text.Json.Serialization;

namespace Build.Helper;

/// <summary>One platform's binary in the helper output: where it is (relative to the output folder), its SHA-256 and size.</summary>
public sealed record HelperBinary(string Platform, string File, string Sha256, long Size)
{
    /// <summary>The version the binary itself reports (<see cref="HelperVersionReader"/>); null when none could be read: unverified.</summary>
    public string? Version { get; init; }
}

/// <summary>
/// <c>manifest.json</c> of the helper output: what was built, from what, and each binary's hash. A manifest that
/// matches the settings and the files means there is nothing to do.
/// </summary>
public sealed record HelperManifest
{
    public const string FileName = "manifest.json";

    public required string Source { get; init; }

    /// <summary>
    /// The version the binaries report, when they all report the same one; null otherwise. In a manifest written
    /// before versions were read (no <see cref="HelperVersion"/>), this held HELPER_VERSION.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>HELPER_VERSION when the output was made; null in a manifest written before versions were read.</summary>
    public string? HelperVersion { get; init; }

    /// <summary>The HELPER_VERSION this output was made for, in either form of the manifest.</summary>
    [JsonIgnore]
    public string? MadeFor => HelperVersion ?? Version;

    /// <summary>Written before binaries' versions were read: BuildHelper makes it again, so that they are.</summary>
    [JsonIgnore]
    public bool FromEarlierBuild => HelperVersion is null;

    /// <summary>What the source was built or fetched from: module path, archive path, base URL or binary path.</summary>
    public required string Origin { get; init; }

    /// <summary>SHA-256 of the input file (archive or HELPER_PATH); null for build and download.</summary>
    public string? OriginSha256 { get; init; }

    /// <summary>The Go image of build and archive; null otherwise.</summary>
    public string? GoImage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyList<HelperBinary> Binaries { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, HelperManifestJson.Default.HelperManifest) + "\n";

    /// <summary>The manifest in <paramref name="json"/>, or null when it is not a whole manifest (a partial write, another format).</summary>
    public static HelperManifest? FromJson(string json)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(json, HelperManifestJson.Default.HelperManifest);
            return manifest is { Binaries: not null, Source: not null, MadeFor: not null, Origin: not null } ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The versions read, per platform: "0.8.0 linux/amd64", "0.12.0 linux/amd64,linux/arm64",
    /// "0.12.0 linux/amd64, version unverified for linux/arm64".
    /// </summary>
    public string Describe() => string.Join(
        ", ",
        Binaries.GroupBy(b => b.Version).Select(g => (g.Key is null ? "version unverified for " : g.Key + " ") + string.Join(',', g.Select(b => b.Platform))));

    public bool Equals(HelperManifest? other) =>
        other is not null && Source == other.Source && Version == other.Version && HelperVersion == other.HelperVersion && Origin == other.Origin
        && OriginSha256 == other.OriginSha256 && GoImage == other.GoImage && CreatedAt == other.CreatedAt
        && Binaries.SequenceEqual(other.Binaries);

    public override int GetHashCode() => HashCode.Combine(Source, Version, Origin, CreatedAt);
}

/// <summary>Source-generated (de)serialization: the skip check reads the manifest on every run, without reflection's warm-up.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HelperManifest))]
internal sealed partial class HelperManifestJson : JsonSerializerContext;
