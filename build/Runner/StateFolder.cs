using Build.Settings;

namespace Build.Runner;

/// <summary>
/// What Clean removes of STATE_DIR: everything, except the local GitLab's data (unless CLEAN_SERVER_DATA), the
/// config.toml backups (unless CLEAN_BACKUPS), and any user file that happens to lie inside it (the credentials file,
/// .env, .env.local). A STATE_DIR that is, or holds, the repository is refused as a whole.
/// </summary>
public sealed class StateFolder(BuildSettings settings, string root)
{
    public string Directory => settings.StateDirectory.FullPath;

    public string ServerData => Path.Combine(Directory, "server");

    public string Backups => Path.Combine(Directory, "runner", "backups");

    /// <summary>Paths Clean keeps, with why.</summary>
    public IReadOnlyList<(string Path, string Why)> Kept()
    {
        var kept = new List<(string, string)>();
        foreach (var (path, why) in new (string?, string)[]
        {
            (settings.CredentialsFile?.FullPath, "the credentials file"),
            (System.IO.Path.Combine(root, ".env"), ".env"),
            (System.IO.Path.Combine(root, ".env.local"), ".env.local"),
            (settings.CleanServerData ? null : ServerData, "server data (CLEAN_SERVER_DATA=true removes it)"),
            (settings.CleanBackups ? null : Backups, "config.toml backups (CLEAN_BACKUPS=true removes them)"),
        })
        {
            if (path is not null && Inside(path) && Exists(path))
            {
                kept.Add((System.IO.Path.GetFullPath(path), why));
            }
        }

        return kept;
    }

    /// <summary>The refusal when STATE_DIR is the repository or holds it; null when it may be cleaned.</summary>
    public string? Refusal()
    {
        var full = Normalize(Directory);
        var repository = Normalize(root);
        return repository == full || repository.StartsWith(full + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) || full == "/"
            ? $"STATE_DIR ({Directory}) is the repository or one of its parents; Clean removes nothing there"
            : null;
    }

    /// <summary>The files and folders to delete, top-most first (the whole folder when nothing inside is kept).</summary>
    public IReadOnlyList<string> Removals()
    {
        if (!System.IO.Directory.Exists(Directory) || Refusal() is not null)
        {
            return [];
        }

        var kept = Kept().Select(k => Normalize(k.Path)).ToList();
        if (kept.Count == 0)
        {
            return [Directory];
        }

        var removals = new List<string>();
        Walk(Directory, kept, removals);
        return removals;
    }

    /// <summary>Deletes <see cref="Removals"/>; a symbolic link is removed, never followed.</summary>
    public static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || !info.Attributes.HasFlag(FileAttributes.Directory))
        {
            info.Delete();
        }
        else
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }

    private static void Walk(string folder, List<string> kept, List<string> removals)
    {
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            var full = Normalize(entry);
            if (kept.Contains(full))
            {
                continue;
            }

            var isFolder = new FileInfo(entry) is { LinkTarget: null } info && info.Attributes.HasFlag(FileAttributes.Directory);
            if (isFolder && kept.Any(k => k.StartsWith(full + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                Walk(entry, kept, removals);
            }
            else
            {
                removals.Add(entry);
            }
        }
    }

    private bool Inside(string path) => Normalize(path).StartsWith(Normalize(Directory) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool Exists(string path) => File.Exists(path) || System.IO.Directory.Exists(path);

    private static string Normalize(string path) => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
}
