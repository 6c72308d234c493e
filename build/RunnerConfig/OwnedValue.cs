namespace Build.RunnerConfig;

/// <summary>What Register wants of one key it owns in config.toml: a value to set, or the key gone.</summary>
public abstract record OwnedValue
{
    /// <summary>A string.</summary>
    public sealed record Text(string Value) : OwnedValue;

    /// <summary>A boolean.</summary>
    public sealed record Flag(bool Value) : OwnedValue;

    /// <summary>An integer.</summary>
    public sealed record Number(long Value) : OwnedValue;

    /// <summary>An array of strings Register owns whole.</summary>
    public sealed record List(IReadOnlyList<string> Values) : OwnedValue;

    /// <summary>An array of strings shared with the user: Register's items first, then the file's items it does not own.</summary>
    public sealed record SharedList(IReadOnlyList<string> Values, Func<string, bool> IsOwned) : OwnedValue;

    /// <summary>The key is Register's and must not be in the file (it wrote it once, the settings no longer want it).</summary>
    public sealed record Absent : OwnedValue;
}

/// <summary>
/// A table under the runner's entry whose listed keys Register owns (<c>[runners.docker]</c>,
/// <c>[runners.autoscaler.plugin_config]</c>): <see cref="Name"/> is the path after <c>runners.</c>. Keys not listed,
/// and the table's comments, are the user's and stay.
/// </summary>
public sealed record RunnerSection(string Name, IReadOnlyList<KeyValuePair<string, OwnedValue>> Keys);

/// <summary>
/// An array of tables under the runner's entry that Register owns whole (<c>[[runners.autoscaler.policy]]</c>):
/// every item of that name in the entry is replaced by <see cref="Items"/>.
/// </summary>
public sealed record RunnerSectionArray(string Name, IReadOnlyList<IReadOnlyList<KeyValuePair<string, OwnedValue>>> Items);

/// <summary>
/// The executor of the runner's entry and the sections it owns. The merge core knows no executor: it writes
/// <c>executor = Name</c>, merges <see cref="Sections"/> and <see cref="Arrays"/>, and removes the sections of an
/// executor Register wrote before that this one does not own (<see cref="Known"/>).
/// </summary>
public sealed record RunnerExecutor(string Name, IReadOnlyList<RunnerSection> Sections, IReadOnlyList<RunnerSectionArray> Arrays)
{
    /// <summary>The executors Register writes, with every section each owns; an entry with another executor is the user's.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Known { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [DockerExecutor.Name] = [DockerExecutor.Section],
        [AutoscalerExecutor.Name] = AutoscalerExecutor.Sections,
    };

    /// <summary>Every section name this executor writes (tables and arrays).</summary>
    public IEnumerable<string> Owned => Sections.Select(s => s.Name).Concat(Arrays.Select(a => a.Name));
}
