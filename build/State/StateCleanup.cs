namespace Build.State;

/// <summary>
/// What Clean removes of STATE_DIR: the names the build writes (<see cref="StateLayout.Entries"/>), except the local
/// GitLab's data (unless CLEAN_SERVER_DATA) and the config.toml backups (unless CLEAN_BACKUPS), and except any file of
/// the user's that lies inside (the credentials file, .env, .env.local). Anything else in the folder is not the build's
/// and stays. The marker goes last, with the folder, only when nothing is left.
/// </summary>
public sealed class StateCleanup(StateFolder folder, IReadOnlyList<(string? Path, string Why)> userFiles, bool serverData, bool backups)
{
    public string Directory => folder.Path;

    /// <summary>Why Clean may not touch the folder at all; null when it may (or there is none).</summary>
    public BuildFailure? Refusal() =>
        System.IO.Directory.Exists(Directory) || File.Exists(Directory) ? folder.Problem() : folder.Forbidden();

    /// <summary>Paths Clean keeps inside the folder, with why.</summary>
    public IReadOnlyList<(string Path, string Why)> Kept()
    {
        var kept = new List<(string, string)>();
        var layout = folder.Layout;
        foreach (var (path, why) in userFiles.Concat([
            (serverData ? null : layout.Server, "server data (CLEAN_SERVER_DATA=true removes it)"),
            (backups ? null : layout.Backups, "config.toml backups (CLEAN_BACKUPS=true removes them)"),
        ]))
        {
            if (path is not null && Inside(path) && Exists(path))
            {
                kept.Add((Normalize(path), why));
            }
        }

        kept.AddRange(folder.ForeignEntries().Select(name => (Path.Combine(Directory, name), "not written by the build")));
        return kept;
    }

    /// <summary>The files and folders to delete, top-most first: the whole folder when nothing in it is kept.</summary>
    public IReadOnlyList<string> Removals()
    {
        if (!System.IO.Directory.Exists(Directory) || Refusal() is not null)
        {
            return [];
        }

        var kept = Kept().Select(k => k.Path).ToList();
        if (kept.Count == 0)
        {
            return [Directory];
        }

        var removals = new List<string>();
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (name != StateLayout.MarkerName && StateLayout.IsOwnEntry(name))
            {
                Walk(entry, kept, removals);
            }
        }

        return removals;
    }

    /// <summary>Deletes one of <see cref="Removals"/>; a symbolic link is removed, never followed.</summary>
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

    private static void Walk(string entry, List<string> kept, List<string> removals)
    {
        var full = Normalize(entry);
        if (kept.Contains(full))
        {
            return;
        }

        var isFolder = new FileInfo(entry) is { LinkTarget: null } info && info.Attributes.HasFlag(FileAttributes.Directory);
        if (isFolder && kept.Any(k => k.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            foreach (var child in System.IO.Directory.EnumerateFileSystemEntries(entry).Order(StringComparer.Ordinal))
            {
                Walk(child, kept, removals);
            }
        }
        else
        {
            removals.Add(entry);
        }
    }

    private bool Inside(string path) => Normalize(path).StartsWith(Normalize(Directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool Exists(string path) => File.Exists(path) || System.IO.Directory.Exists(path);

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
