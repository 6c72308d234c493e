namespace Build.State;

/// <summary>
/// Whether STATE_DIR may be written and cleaned. The build writes into a folder only when it created it (a marker file
/// naming the compose project is written then), or when the folder is empty, or holds nothing but what the build writes
/// (a folder of an earlier version, taken over by writing the marker). Never: the file system root, system folders,
/// $HOME or a folder above it, the repository or a folder above it, a folder of another compose project.
/// </summary>
public sealed class StateFolder(StateLayout layout, string project, string repository, string? home)
{
    private const string Fix = "set STATE_DIR to a new or empty folder of its own (the default, .state in the repository, is one), in .env.local or the environment";

    private static readonly string[] SystemFolders =
    [
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt", "/opt", "/proc", "/root",
        "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/usr/bin", "/usr/lib", "/usr/local", "/usr/local/bin", "/usr/sbin", "/usr/share",
        "/var/lib", "/var/lib/docker", "/var/log", "/var/run", "/var/tmp", "/var/cache", "/var/opt", "/var/spool",
    ];

    private static readonly string[] SystemTrees = ["/proc", "/sys", "/dev", "/boot", "/bin", "/sbin", "/lib", "/lib64", "/usr/bin", "/usr/sbin", "/usr/lib", "/etc"];

    public StateLayout Layout => layout;

    public string Path => layout.Root;

    /// <summary>The marker's text: what wrote the folder and for which compose project.</summary>
    public string MarkerText => $"# Written by gitlab-runner-ecr's build when it created this state folder. Clean removes only what the build wrote here.\nproject={project}\n";

    /// <summary>Why the build may not write into STATE_DIR; null when it may (creating it if it does not exist).</summary>
    public BuildFailure? Problem()
    {
        if (Forbidden() is { } forbidden)
        {
            return forbidden;
        }

        if (!Directory.Exists(Path))
        {
            return File.Exists(Path) ? new BuildFailure($"STATE_DIR ({Path}) is a file, not a folder", Fix) : null;
        }

        if (MarkedProject() is { } owner)
        {
            return owner == project
                ? null
                : new BuildFailure(
                    $"STATE_DIR ({Path}) is the state folder of compose project \"{owner}\", and COMPOSE_PROJECT_NAME is \"{project}\"",
                    $"set COMPOSE_PROJECT_NAME={owner} to work with that project (run Clean with it first to start over), or {Fix}");
        }

        var foreign = ForeignEntries();
        return foreign.Count == 0
            ? null
            : new BuildFailure(
                $"STATE_DIR ({Path}) holds files the build did not write ({Describe(foreign)}) and no marker ({StateLayout.MarkerName}): the build writes and cleans only a folder it created",
                Fix);
    }

    /// <summary>Makes sure the build may write into STATE_DIR, creating it and its marker when needed; a <see cref="BuildFailure"/> when it may not.</summary>
    /// <returns>What was done, for the log; null when the folder was already the build's.</returns>
    public string? Claim()
    {
        if (Problem() is { } problem)
        {
            throw problem;
        }

        if (Directory.Exists(Path) && MarkedProject() is not null)
        {
            return null;
        }

        var existed = Directory.Exists(Path);
        var empty = !existed || !Directory.EnumerateFileSystemEntries(Path).Any();
        Directory.CreateDirectory(Path);
        Files.AtomicFile.Write(layout.Marker, MarkerText, Files.AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return !existed ? $"created the state folder {Path}"
            : empty ? $"the empty folder {Path} is now the state folder"
            : $"took over the state folder {Path} (it holds only what the build writes: an earlier version made it)";
    }

    /// <summary>The project named by the folder's marker; null when there is no marker (a link is not one).</summary>
    public string? MarkedProject()
    {
        var marker = new FileInfo(layout.Marker);
        if (!marker.Exists || marker.LinkTarget is not null)
        {
            return null;
        }

        var line = File.ReadLines(marker.FullName).FirstOrDefault(l => l.StartsWith("project=", StringComparison.Ordinal));
        return line is null ? string.Empty : line["project=".Length..].Trim();
    }

    /// <summary>Top-level entries of the folder the build does not write (its own names and the marker excluded).</summary>
    public IReadOnlyList<string> ForeignEntries() =>
        Directory.Exists(Path)
            ? [.. Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Where(n => !StateLayout.IsOwnEntry(n!)).Order(StringComparer.Ordinal)!]
            : [];

    /// <summary>The refusal for a folder the build must never write or clean, whatever it holds.</summary>
    public BuildFailure? Forbidden()
    {
        var paths = new[] { Path, Resolved(Path) }.Distinct(StringComparer.Ordinal).ToList();
        foreach (var path in paths)
        {
            if (SystemFolders.Contains(path, StringComparer.Ordinal) || SystemTrees.Any(t => path.StartsWith(t + "/", StringComparison.Ordinal)))
            {
                return new BuildFailure($"STATE_DIR ({Path}) is a system folder", Fix);
            }

            if (home is { Length: > 0 } && IsSameOrAbove(path, home))
            {
                return new BuildFailure($"STATE_DIR ({Path}) is your home folder ({home}) or a folder above it", Fix);
            }

            if (IsSameOrAbove(path, repository))
            {
                return new BuildFailure($"STATE_DIR ({Path}) is the repository ({repository}) or a folder above it", Fix);
            }
        }

        return null;
    }

    private static bool IsSameOrAbove(string path, string other)
    {
        var full = Normalize(other);
        return full == path || full.StartsWith(path == "/" ? "/" : path + "/", StringComparison.Ordinal);
    }

    /// <summary>The folder with every link along it resolved (a STATE_DIR that is a link to /root is /root).</summary>
    private static string Resolved(string path)
    {
        try
        {
            var info = new DirectoryInfo(path);
            return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Normalize(target.FullName) : path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static string Normalize(string path) => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));

    private static string Describe(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : string.Empty);
}
