using System.Text;

namespace Lab.Docker;

/// <summary>
/// Adds a marked block of names to /etc/hosts and restores the file byte for byte. Writes happen in
/// place (same inode), because /etc/hosts is often a bind mount. A block left by a killed run is
/// removed by <see cref="RemoveLeftovers"/>.
/// </summary>
public sealed class HostsFile(string path = "/etc/hosts")
{
    public const string Marker = "# ecrlab-test-run";

    private byte[]? _original;

    public string Path { get; } = path;

    public void RemoveLeftovers()
    {
        var text = File.ReadAllText(Path);
        if (!text.Contains(Marker, StringComparison.Ordinal))
        {
            return;
        }

        var kept = text.Split('\n').Where(line => !line.Contains(Marker, StringComparison.Ordinal));
        File.WriteAllText(Path, string.Join('\n', kept));
    }

    public void Add(IEnumerable<(string Address, string Name)> entries, string runId)
    {
        _original = File.ReadAllBytes(Path);
        var block = new StringBuilder();
        if (_original.Length > 0 && _original[^1] != (byte)'\n')
        {
            block.Append('\n');
        }

        foreach (var (address, name) in entries)
        {
            block.Append($"{address} {name} {Marker} {runId}\n");
        }

        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write);
        stream.Write(Encoding.ASCII.GetBytes(block.ToString()));
    }

    public void Restore()
    {
        if (_original is not null)
        {
            using var stream = new FileStream(Path, FileMode.Truncate, FileAccess.Write);
            stream.Write(_original);
            _original = null;
        }
    }
}
