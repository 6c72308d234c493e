namespace Build.Processes;

/// <summary>Asks git whether it tracks a file (a committed file would carry a secret into every clone).</summary>
public static class GitFiles
{
    /// <summary>True when the file is in the index of the git repository that holds it; false outside any repository or without git.</summary>
    public static bool IsTracked(CommandRunner commands, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory))
        {
            return false;
        }

        try
        {
            var result = commands.Run("git", Arguments.Of("-C", directory, "ls-files", "--error-unmatch", "--", Path.GetFileName(path)), new CommandOptions { Timeout = TimeSpan.FromSeconds(20) });
            return result.Succeeded;
        }
        catch (CommandException)
        {
            // No git on PATH: nothing on this machine can commit the file either.
            return false;
        }
    }
}
