namespace Build.Settings;

/// <summary>
/// Reads .env and .env.local. Nothing at the path means no file; anything else that is not a readable file (a
/// directory, a link to nothing, a file that cannot be read) is a settings problem naming the path and the fix,
/// never silently skipped.
/// </summary>
public static class SettingsFile
{
    /// <summary>The texts of the files, null for each that does not exist; throws <see cref="SettingsException"/> listing every file that is there but cannot be read as settings.</summary>
    public static IReadOnlyList<string?> ReadAll(params string[] paths)
    {
        var problems = new List<string>();
        var texts = paths.Select(path => Read(path, problems)).ToList();
        return problems.Count == 0 ? texts : throw new SettingsException(problems);
    }

    private static string? Read(string path, List<string> problems)
    {
        var name = Path.GetFileName(path);
        var what = $"{name} must be a file of KEY=value lines";
        try
        {
            if (new FileInfo(path).LinkTarget is { } target && new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true) is { } final
                && !File.Exists(final.FullName) && !Directory.Exists(final.FullName))
            {
                problems.Add($"{path} is a symbolic link to {target}, which does not exist; {what}: point the link at an existing file, or remove it (rm {path})");
                return null;
            }

            if (Directory.Exists(path))
            {
                problems.Add($"{path} is a directory; {what}: move the directory out of the way (mv {path} {path}.old) and create the file, or remove the directory");
                return null;
            }

            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path} cannot be read ({ex.Message}); {what} that you can read: check it with ls -l {path}");
            return null;
        }
    }
}
