using Build.Host;
using Build.Settings;
using Build.Tests.Host;

namespace Build.Tests.Settings;

/// <summary>A .env or .env.local that is there but is not a readable file stops the run naming it; none at all is fine.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SettingsFileTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string PathOf(string name) => Path.Combine(_build.Root, name);

    /// <summary>Every path under the root with its kind and size: what "nothing changed" is compared on.</summary>
    private string[] Listing() =>
        [.. new DirectoryInfo(_build.Root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Select(i => $"{Path.GetRelativePath(_build.Root, i.FullName)} {(i.LinkTarget is not null ? "link" : i is DirectoryInfo ? "dir" : ((FileInfo)i).Length.ToString())}")
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void Missing_files_read_as_none_and_a_link_to_a_file_reads_the_file()
    {
        File.WriteAllText(PathOf("real.env"), "RUNNER_NAME=linked\n");
        File.CreateSymbolicLink(PathOf(".env.local"), PathOf("real.env"));

        var texts = SettingsFile.ReadAll(PathOf(".env"), PathOf(".env.local"));

        Assert.Equal([null, "RUNNER_NAME=linked\n"], texts);
    }

    [Fact]
    public void A_directory_and_a_dangling_link_are_both_reported_naming_the_path_and_what_it_should_be()
    {
        // Given .env as a link to nothing and .env.local as a directory
        File.CreateSymbolicLink(PathOf(".env"), PathOf("gone/defaults.env"));
        Directory.CreateDirectory(PathOf(".env.local"));

        // When they are read
        var error = Assert.Throws<SettingsException>(() => SettingsFile.ReadAll(PathOf(".env"), PathOf(".env.local")));

        // Then each has its own problem with the path, what it is, what it must be and the fix
        Assert.Equal(
            [
                $"{PathOf(".env")} is a symbolic link to {PathOf("gone/defaults.env")}, which does not exist; .env must be a file of KEY=value lines: point the link at an existing file, or remove it (rm {PathOf(".env")})",
                $"{PathOf(".env.local")} is a directory; .env.local must be a file of KEY=value lines: move the directory out of the way (mv {PathOf(".env.local")} {PathOf(".env.local")}.old) and create the file, or remove the directory",
            ],
            error.Problems);
    }

    [Fact]
    public void A_link_to_a_directory_is_a_directory()
    {
        Directory.CreateDirectory(PathOf("settings"));
        File.CreateSymbolicLink(PathOf(".env.local"), PathOf("settings"));

        var error = Assert.Throws<SettingsException>(() => SettingsFile.ReadAll(PathOf(".env"), PathOf(".env.local")));

        Assert.StartsWith($"{PathOf(".env.local")} is a directory; .env.local must be a file", Assert.Single(error.Problems));
    }

    [Theory]
    [InlineData(".env.local", false)]
    [InlineData(".env.local", true)]
    [InlineData(".env", true)]
    public void The_build_stops_with_exit_code_2_and_changes_nothing(string name, bool danglingLink)
    {
        // Given the settings file as a directory or as a link to nothing
        if (danglingLink)
        {
            File.CreateSymbolicLink(PathOf(name), PathOf("nowhere"));
        }
        else
        {
            Directory.CreateDirectory(PathOf(name));
        }

        var before = Listing();

        // When a target runs
        var (code, output) = _build.Run("--target=Doctor");

        // Then the run stops on the settings problem, naming the path, and leaves everything as it was
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(danglingLink ? $"{PathOf(name)} is a symbolic link to {PathOf("nowhere")}, which does not exist" : $"{PathOf(name)} is a directory", output);
        Assert.Contains($"{name} must be a file of KEY=value lines", output);
        Assert.Contains("Nothing was changed.", output);
        Assert.DoesNotContain("Could not find file", output);
        Assert.Equal(before, Listing());
    }
}
