namespace Lab.Docker;

/// <summary>certs.d folders the lab marks with <c>.ecrlab-run</c>: a run removes its own, and only a dead (or unknown) owner's are leftovers.</summary>
public sealed class DockerCertsDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ecrlab-certs-").FullName;

    private string Certs => Path.Combine(_root, "certs.d");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Leftovers_are_folders_of_dead_or_unknown_owners_and_live_or_unmarked_ones_are_kept()
    {
        var dead = await LeftoverTests.DeadPidAsync();
        Folder("dead.example", new RunOwner("ecrlab-killed", dead) + "\n");
        Folder("old-format.example", "ecrlab-0123abcd");
        Folder("live.example", RunOwner.Current("ecrlab-live") + "\n");
        Folder("someone-elses.example", null);

        new DockerCertsDirectory(Certs).RemoveLeftovers();

        Assert.Equal(["live.example", "someone-elses.example"], Directory.GetDirectories(Certs).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Remove_takes_only_its_own_folders_and_keeps_certs_d_while_another_run_uses_it()
    {
        var ca = Path.Combine(_root, "ca.pem");
        File.WriteAllText(ca, "not a real certificate");
        var first = new DockerCertsDirectory(Certs);
        var second = new DockerCertsDirectory(Certs);
        first.Trust("a.example", ca, RunOwner.Current("ecrlab-first"));
        second.Trust("b.example", ca, RunOwner.Current("ecrlab-second"));

        first.Remove();

        Assert.Equal(["b.example"], Directory.GetDirectories(Certs).Select(Path.GetFileName));
        Assert.Equal($"ecrlab-second pid={Environment.ProcessId}\n", File.ReadAllText(Path.Combine(Certs, "b.example", DockerCertsDirectory.Marker)));
        second.Remove();
        Assert.True(Directory.Exists(Certs), "certs.d was created by the first run, not the second");
    }

    private void Folder(string host, string? marker)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Certs, host)).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.crt"), "not a real certificate");
        if (marker is not null)
        {
            File.WriteAllText(Path.Combine(directory, DockerCertsDirectory.Marker), marker);
        }
    }
}
