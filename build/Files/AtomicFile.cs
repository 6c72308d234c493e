namespace Build.Files;

/// <summary>Writes a file whole or not at all: a temporary file beside it, flushed to disk, then renamed over it.</summary>
public static class AtomicFile
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Copies <paramref name="path"/> (when it exists) to <c>&lt;backups&gt;/&lt;name&gt;.&lt;UTC time&gt;</c> with the same private mode,
    /// keeping the newest <paramref name="keep"/> copies; returns the copy's path.
    /// </summary>
    public static string? Backup(string path, string backups, int keep = 5)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Directory.CreateDirectory(backups);
        var name = Path.GetFileName(path);
        var copy = Path.Combine(backups, $"{name}.{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}");
        Write(copy, File.ReadAllText(path), OperatingSystem.IsWindows() ? Private : File.GetUnixFileMode(path) & Private);
        foreach (var old in Directory.GetFiles(backups, name + ".*").Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).SkipLast(keep))
        {
            File.Delete(old);
        }

        return copy;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) unless the file already holds exactly it; returns whether it wrote.</summary>
    public static bool Write(string path, string text, UnixFileMode mode = Private)
    {
        var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes) && (OperatingSystem.IsWindows() || File.GetUnixFileMode(path) == mode))
        {
            return false;
        }

        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The process umask may have narrowed the mode given at creation.
                File.SetUnixFileMode(temporary, mode);
            }

            File.Move(temporary, path, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
