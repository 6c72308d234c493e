namespace Build.Fleet;

/// <summary>
/// FLEET_SSH_KEY as ssh itself would accept it: an existing regular file that neither its group nor others may read
/// or write. Only the path and the mode are ever named, never the content.
/// </summary>
public static class SshKeyCheck
{
    private const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>What is wrong with the key file and what to do, or null when it may be used.</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path))
        {
            return $"{Settings.SettingCatalog.FleetSshKey.Key} = {path} is a folder: point it at the private key file the runner's connector uses (connector_config key_path)";
        }

        if (!File.Exists(path))
        {
            return $"{Settings.SettingCatalog.FleetSshKey.Key} = {path} does not exist: point it at the private key file the runner's connector uses for FLEET_SSH_USER";
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & Shared) != 0
            ? $"{Settings.SettingCatalog.FleetSshKey.Key} = {path} may be read or changed by others (mode {Octal(mode)}), so ssh would refuse it and so does SmokeTest: chmod 600 {path}"
            : null;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
