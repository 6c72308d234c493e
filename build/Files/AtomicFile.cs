using System.Security.Cryptography;

namespace Build.Files;

/// <summary>
/// Writes a file whole or not at all: a temporary file beside it with a random name, created exclusively (so a link
/// planted under that name is never followed), flushed to disk, then renamed over the target. A target that is a
/// symbolic link is refused: the build never writes through a link to somewhere else.
/// </summary>
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

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) unless the file already holds exactly it with this mode; returns whether it wrote.</summary>
    public static bool Write(string path, string text, UnixFileMode mode = Private) =>
        Write(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text), mode);

    /// <summary>Writes <paramref name="bytes"/> unless the file already holds exactly them with this mode; returns whether it wrote.</summary>
    /// <param name="keepOwner">Give the new file the owner and group of the one it replaces (a file of another user that root rewrites stays theirs).</param>
    public static bool Write(string path, byte[] bytes, UnixFileMode mode = Private, bool keepOwner = false)
    {
        var full = Path.GetFullPath(path);
        var existing = new FileInfo(full);
        if (existing.LinkTarget is not null)
        {
            throw new IOException($"{full} is a symbolic link (to {existing.LinkTarget}); the build does not write through links: replace the link with the file itself");
        }

        if (existing.Exists && existing.Length == bytes.Length && File.ReadAllBytes(full).AsSpan().SequenceEqual(bytes) && (OperatingSystem.IsWindows() || File.GetUnixFileMode(full) == mode))
        {
            return false;
        }

        var owner = keepOwner && existing.Exists && !OperatingSystem.IsWindows() ? FileOwnership.Of(full) : null;
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        try
        {
            // CreateNew is O_CREAT|O_EXCL: it fails on any existing name, a link included, instead of following it.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
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
                owner?.ApplyTo(temporary);
            }

            File.Move(temporary, full, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
