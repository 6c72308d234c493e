using Build.Files;

namespace Build.Tests.Files;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("atomic-file-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void A_link_planted_at_the_old_predictable_temporary_name_is_never_followed()
    {
        // Given a victim file and links at the temporary names a writer could predict (the pid-based one among them)
        var victim = PathOf("victim");
        File.WriteAllText(victim, "untouched\n");
        var target = PathOf("config.toml");
        File.CreateSymbolicLink(PathOf($".config.toml.{Environment.ProcessId}.tmp"), victim);
        File.CreateSymbolicLink(PathOf(".config.toml.tmp"), victim);

        // When a secret is written atomically to the target
        Assert.True(AtomicFile.Write(target, "token = \"secret-value\"\n"));

        // Then the victim is unchanged, the target holds the text, and no temporary file is left
        Assert.Equal("untouched\n", File.ReadAllText(victim));
        Assert.Equal("token = \"secret-value\"\n", File.ReadAllText(target));
        Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(target));
        Assert.DoesNotContain(Directory.GetFiles(_folder.FullName), f => f.EndsWith(".tmp", StringComparison.Ordinal) && new FileInfo(f).LinkTarget is null);
    }

    [Fact]
    public void A_target_that_is_a_link_is_refused_and_its_destination_is_unchanged()
    {
        // Given config.toml as a link to a file elsewhere
        var elsewhere = PathOf("elsewhere");
        File.WriteAllText(elsewhere, "theirs\n");
        var target = PathOf("config.toml");
        File.CreateSymbolicLink(target, elsewhere);

        // When the build writes config.toml
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(target, "ours\n"));

        // Then it refuses with the fix, and neither the link nor its destination changed
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Contains("replace the link", error.Message, StringComparison.Ordinal);
        Assert.Equal("theirs\n", File.ReadAllText(elsewhere));
        Assert.Equal(elsewhere, new FileInfo(target).LinkTarget);
    }

    [Fact]
    public void Unchanged_bytes_and_mode_are_not_written_again()
    {
        // Given a file written once, its time set to the past
        var target = PathOf("compose.env");
        Assert.True(AtomicFile.Write(target, "A=1\n"));
        var past = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(target, past);

        // When the same text is written with the same mode
        var wrote = AtomicFile.Write(target, "A=1\n");

        // Then nothing was written: the file is the same one, untouched
        Assert.False(wrote);
        Assert.Equal(past, File.GetLastWriteTimeUtc(target));

        // And a changed mode alone is written
        Assert.True(AtomicFile.Write(target, "A=1\n", AtomicFile.Private | UnixFileMode.GroupRead));
        Assert.Equal(AtomicFile.Private | UnixFileMode.GroupRead, File.GetUnixFileMode(target));
    }

    [RootFact]
    public void A_rewrite_that_keeps_the_owner_gives_the_new_file_the_old_owner_and_group()
    {
        // Given a file owned by another user and group (root may give it away)
        var target = PathOf("credentials");
        File.WriteAllText(target, "old\n");
        new FileOwnership(4321, 4322).ApplyTo(target);

        // When root rewrites it keeping the owner, and writes another file without keeping it
        AtomicFile.Write(target, System.Text.Encoding.UTF8.GetBytes("new\n"), AtomicFile.Private, keepOwner: true);
        var other = PathOf("other");
        File.WriteAllText(other, "x\n");
        new FileOwnership(4321, 4322).ApplyTo(other);
        AtomicFile.Write(other, "y\n");

        // Then the first is still the other user's, with the new text; the second is root's
        Assert.Equal("new\n", File.ReadAllText(target));
        Assert.Equal(new FileOwnership(4321, 4322), FileOwnership.Of(target));
        Assert.Equal(new FileOwnership(0, 0), FileOwnership.Of(other));
    }
}

/// <summary>A fact that needs root (giving a file to another user); skipped with that reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Build.Aws.FileOwner.CurrentUser != 0)
        {
            Skip = "needs root: only root can give a file to another user (CI runs as root)";
        }
    }
}
