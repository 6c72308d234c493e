using Cake.Core.IO;

namespace Build.Host;

/// <summary>Finds the repository root: <c>BUILD_ROOT</c> (set by build.sh), else the nearest folder up with build/Build.csproj.</summary>
public static class RepositoryRoot
{
    public static DirectoryPath Find(Func<string, string?> environmentVariables, DirectoryPath start)
    {
        if (environmentVariables("BUILD_ROOT") is { Length: > 0 } configured)
        {
            return new DirectoryPath(configured);
        }

        for (var directory = new DirectoryInfo(start.FullPath); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "build", "Build.csproj")))
            {
                return new DirectoryPath(directory.FullName);
            }
        }

        return start;
    }
}
