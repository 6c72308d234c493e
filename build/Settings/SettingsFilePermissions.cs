namespace Build.Settings;

/// <summary>A settings file that holds a secret must not be readable by other users.</summary>
public static class SettingsFilePermissions
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A warning with the fix when the file's group or others have any access; null when it is private.</summary>
    public static string? Check(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & GroupOrOther) == 0
            ? null
            : $"{path} holds a secret and other users can read it (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); run: chmod 600 {path}";
    }
}
