using Build.Processes;

namespace Build.Aws;

/// <summary>Who owns a file and who runs the build (.NET has no API for a file's owner; coreutils' stat has).</summary>
public static class FileOwner
{
    /// <summary>The effective uid of this process (the second field of Uid: in /proc/self/status); -1 where there is none.</summary>
    public static int CurrentUser => File.Exists("/proc/self/status")
        ? File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Select(l => int.Parse(l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2])).First()
        : -1;

    /// <summary>The owner's uid, or null when stat cannot tell.</summary>
    public static int? Of(CommandRunner commands, string path)
    {
        try
        {
            var result = commands.Run("stat", Arguments.Of("-c", "%u", "--", path), new CommandOptions { Timeout = TimeSpan.FromSeconds(20) });
            return result.Succeeded && int.TryParse(result.StandardOutput.Trim(), out var uid) ? uid : null;
        }
        catch (CommandException)
        {
            return null;
        }
    }
}
