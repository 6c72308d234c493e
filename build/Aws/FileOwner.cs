namespace Build.Aws;

/// <summary>Who owns a file and who runs the build.</summary>
public static class FileOwner
{
    /// <summary>The effective uid of this process (the second field of Uid: in /proc/self/status); -1 where there is none.</summary>
    public static int CurrentUser => File.Exists("/proc/self/status")
        ? File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Select(l => int.Parse(l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture)).First()
        : -1;

    /// <summary>The owner's uid, or null when it cannot be read.</summary>
    public static int? Of(string path) => Files.FileOwnership.Of(path) is { } owner ? (int)owner.User : null;
}
