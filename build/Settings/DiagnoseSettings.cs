using System.Text.RegularExpressions;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>What Diagnose looks at: a runner's config.toml, the container its process runs in, and how the result is printed.</summary>
public sealed partial record DiagnoseSettings
{
    private DiagnoseSettings()
    {
    }

    /// <summary>DIAGNOSE_CONFIG: the config.toml to read; null when unset (Diagnose's requirement names it).</summary>
    public required FilePath? Config { get; init; }

    /// <summary>DIAGNOSE_CONTAINER: the runner's container (name or id); null when the runner runs on this host.</summary>
    public required string? Container { get; init; }

    /// <summary>DIAGNOSE_FORMAT=json: one JSON document on standard output instead of the tables.</summary>
    public required bool Json { get; init; }

    public static DiagnoseSettings Read(SettingsLayers s) => new()
    {
        Config = s.File(SettingCatalog.DiagnoseConfig),
        Container = s.Parse(SettingCatalog.DiagnoseContainer, SettingParsers.Matching(ContainerName())),
        Json = s.Defaulted(SettingCatalog.DiagnoseFormat, text => text.Trim() switch { "text" => false, "json" => true, _ => (bool?)null }),
    };

    // Docker's rule for names ([a-zA-Z0-9][a-zA-Z0-9_.-]+), which ids (hex) also meet; a leading '/' as docker inspect shows it.
    [GeneratedRegex(@"\A/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}\z")]
    private static partial Regex ContainerName();
}
