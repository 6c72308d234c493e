namespace Tests.Shared;

/// <summary>The repository the tests run from, found by its solution file above the test binaries.</summary>
internal static class TestRepository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RunnerEcr.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (RunnerEcr.slnx) above " + AppContext.BaseDirectory);
    }
}
