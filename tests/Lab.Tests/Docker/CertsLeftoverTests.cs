namespace Lab.Docker;

/// <summary>certs.d folders the lab marks with <c>.ecrlab-run</c>: only a dead (or unknown) owner's are leftovers.</summary>
public sealed class CertsLeftoverTests : IDisposable
{
    private readonly string _certs = Directory.CreateTempSubdirectory("certs.d-").FullName;

    public void Dispose() => Directory.Delete(_certs, recursive: true);

    [Fact]
    public async Task Folders_of_dead_or_unknown_owners_are_removed_and_live_or_unmarked_ones_are_kept()
    {
        var dead = await LeftoverTests.DeadPidAsync();
        Folder("dead.example", new RunOwner("ecrlab-killed", dead) + "\n");
        Folder("old-format.example", "ecrlab-0123abcd");
        Folder("live.example", RunOwner.Current("ecrlab-live") + "\n");
        Folder("someone-elses.example", null);

        LabFixture.RemoveCertsLeftovers(_certs);

        Assert.Equal(["live.example", "someone-elses.example"], Directory.GetDirectories(_certs).Select(Path.GetFileName).Order());
    }

    private void Folder(string host, string? marker)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_certs, host)).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.crt"), "not a real certificate");
        if (marker is not null)
        {
            File.WriteAllText(Path.Combine(directory, ".ecrlab-run"), marker);
        }
    }
}
