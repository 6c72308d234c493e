using Build.Files;

namespace Build.Tests.RunnerConfig;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileBackupTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("backup-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Backups_are_private_timestamped_copies_and_only_the_newest_are_kept()
    {
        // Given a private file
        var file = Path.Combine(_folder.FullName, "config.toml");
        var backups = Path.Combine(_folder.FullName, "backups");

        // When it is backed up and rewritten seven times, keeping three
        for (var i = 0; i < 7; i++)
        {
            AtomicFile.Write(file, $"version {i}\n");
            AtomicFile.Backup(file, backups, keep: 3);
            Thread.Sleep(5);
        }

        // Then the three newest copies remain, each private
        var kept = Directory.GetFiles(backups).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["version 4\n", "version 5\n", "version 6\n"], kept.Select(File.ReadAllText));
        Assert.All(kept, k => Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(k)));
        Assert.All(kept, k => Assert.Matches(@"config\.toml\.\d{8}T\d{9}Z$", k));
        Assert.Null(AtomicFile.Backup(Path.Combine(_folder.FullName, "missing.toml"), backups));
    }
}
