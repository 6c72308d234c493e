namespace Lab.Fixtures.Docker;

/// <summary>
/// The host daemon's per-registry trust, <c>/etc/docker/certs.d/&lt;host&gt;/ca.crt</c> (read per request, no restart).
/// Each folder the lab adds holds a <c>.ecrlab-run</c> marker naming its <see cref="RunOwner"/>; a run removes its
/// own folders, and <see cref="RemoveLeftovers"/> those of dead runs, the same rule as <see cref="HostsFile"/>.
/// </summary>
public sealed class DockerCertsDirectory(string path = "/etc/docker/certs.d")
{
    public const string Marker = ".ecrlab-run";

    private readonly List<string> _added = [];
    private bool _created;

    public string Path { get; } = path;

    /// <summary>Makes the daemon trust <paramref name="caPath"/> for <paramref name="host"/>, in a folder owned by <paramref name="owner"/>.</summary>
    public void Trust(string host, string caPath, RunOwner owner)
    {
        _created |= !Directory.Exists(Path);
        var directory = Directory.CreateDirectory(System.IO.Path.Combine(Path, host)).FullName;
        _added.Add(directory);
        File.WriteAllText(System.IO.Path.Combine(directory, Marker), owner + "\n");
        File.Copy(caPath, System.IO.Path.Combine(directory, "ca.crt"));
    }

    /// <summary>Removes the folders <see cref="Trust"/> added, and certs.d itself if it created it and no other folder is left in it.</summary>
    public void Remove()
    {
        foreach (var directory in _added.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }

        _added.Clear();
        if (!_created || !Directory.Exists(Path) || Directory.EnumerateFileSystemEntries(Path).Any())
        {
            return;
        }

        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Another run added its folder in the meantime: the directory is in use.
        }
    }

    /// <summary>Removes the folders whose marker names a dead (or no) owner; folders of live runs and unmarked ones stay.</summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(Path))
        {
            var marker = System.IO.Path.Combine(directory, Marker);
            if (File.Exists(marker) && !RunOwner.IsAlive(RunOwner.Find(File.ReadAllText(marker))))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
