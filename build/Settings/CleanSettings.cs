namespace Build.Settings;

/// <summary>What Clean removes besides the runner, its containers and its own state files.</summary>
public sealed record CleanSettings
{
    private CleanSettings()
    {
    }

    /// <summary>CLEAN_DRY_RUN: Clean lists what it would do and changes nothing.</summary>
    public required bool DryRun { get; init; }

    /// <summary>CLEAN_SERVER_DATA: Clean also removes STATE_DIR/server.</summary>
    public required bool ServerData { get; init; }

    /// <summary>CLEAN_BACKUPS: Clean also removes STATE_DIR/runner/backups.</summary>
    public required bool Backups { get; init; }

    /// <summary>CLEAN_IMAGES: Clean also removes images labelled with the project.</summary>
    public required bool Images { get; init; }

    public static CleanSettings Read(SettingsLayers s) => new()
    {
        DryRun = s.Flag(SettingCatalog.CleanDryRun),
        ServerData = s.Flag(SettingCatalog.CleanServerData),
        Backups = s.Flag(SettingCatalog.CleanBackups),
        Images = s.Flag(SettingCatalog.CleanImages),
    };
}
