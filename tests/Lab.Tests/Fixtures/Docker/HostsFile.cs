using System.Text;

namespace Lab.Fixtures.Docker;

/// <summary>
/// Adds a marked block of names to /etc/hosts, one line per name ending in <c># ecrlab-test-run &lt;run&gt; pid=&lt;pid&gt;</c>,
/// and removes exactly those lines again, so that concurrent runs keep each other's blocks. Every change
/// holds an exclusive flock on the file for its read-modify-write and is written in place (same inode),
/// because /etc/hosts is often a bind mount. <see cref="RemoveLeftovers"/> removes blocks of dead runs.
/// </summary>
public sealed class HostsFile(string path = "/etc/hosts")
{
    public const string Marker = "# ecrlab-test-run";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private RunOwner? _owner;
    private bool _addedLineBreak;
    private int _lengthBefore;

    public string Path { get; } = path;

    /// <summary>Appends one line per entry, owned by <paramref name="owner"/>.</summary>
    public void Add(IEnumerable<(string Address, string Name)> entries, RunOwner owner)
    {
        Change(text =>
        {
            _owner = owner;
            _lengthBefore = text.Length;
            _addedLineBreak = text.Length > 0 && text[^1] != '\n';
            var block = new StringBuilder(text);
            if (_addedLineBreak)
            {
                block.Append('\n');
            }

            foreach (var (address, name) in entries)
            {
                block.Append($"{address} {name} {Marker} {owner}\n");
            }

            return block.ToString();
        });
    }

    /// <summary>
    /// Removes the lines <see cref="Add"/> wrote, and nothing else. When no other line changed meanwhile the file
    /// is byte for byte what it was (a line break added before the block goes too).
    /// </summary>
    public void Remove()
    {
        if (_owner is not { } owner)
        {
            return;
        }

        Change(text =>
        {
            var kept = Without(text, line => RunOwner.Find(line) == owner);
            return _addedLineBreak && kept.Length == _lengthBefore + 1 && kept[^1] == '\n' ? kept[..^1] : kept;
        });
        _owner = null;
    }

    /// <summary>
    /// The file's lines, read as another run's change allows: .NET opens a file for reading under flock(LOCK_SH),
    /// which fails at once while a change holds LOCK_EX, so a .NET reader retries (resolvers take no lock).
    /// </summary>
    public static string[] ReadLines(string path = "/etc/hosts")
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return File.ReadAllLines(path);
            }
            catch (IOException ex) when (ex is not FileNotFoundException && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Removes marked lines whose owner is not a live process: blocks a killed run left behind.</summary>
    public void RemoveLeftovers() => Change(text => Without(text, line => !RunOwner.IsAlive(RunOwner.Find(line))));

    private static string Without(string text, Func<string, bool> remove) =>
        string.Join('\n', text.Split('\n').Where(line => !(line.Contains(Marker, StringComparison.Ordinal) && remove(line))));

    /// <summary>Reads, changes and writes the file back in place under an exclusive lock; no write when nothing changed.</summary>
    private void Change(Func<string, string> change)
    {
        using var file = OpenLocked();
        var before = new byte[file.Length];
        file.ReadExactly(before);
        var after = Encoding.UTF8.GetBytes(change(Encoding.UTF8.GetString(before)));
        if (after.AsSpan().SequenceEqual(before))
        {
            return;
        }

        file.Position = 0;
        file.Write(after);
        file.SetLength(after.Length);
    }

    /// <summary>
    /// Opens the file for read and write with FileShare.None, which .NET backs with flock(LOCK_EX): another run's
    /// change waits (retried) instead of interleaving. Resolvers read without the lock and are not blocked; .NET
    /// readers use <see cref="ReadLines"/>.
    /// </summary>
    private FileStream OpenLocked()
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (ex is not FileNotFoundException && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }
}
