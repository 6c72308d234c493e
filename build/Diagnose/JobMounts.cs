namespace Build.Diagnose;

/// <summary>A <c>[runners.docker]</c> volume: a host path (absolute source), a named volume (other source) or an anonymous one (no source).</summary>
public sealed record JobMount(string? Source, string Target, bool ReadOnly)
{
    public bool FromHost => Source is not null && Source.StartsWith('/');

    public static IReadOnlyList<JobMount> Of(IEnumerable<string> volumes) =>
    [
        .. volumes.Select(v => v.Split(':')).Select(p => p.Length switch
        {
            1 => new JobMount(null, p[0], false),
            2 => new JobMount(p[0], p[1], false),
            _ => new JobMount(p[0], p[1], p[2].Split(',').Contains("ro")),
        }),
    ];

    public override string ToString() => Source is null ? Target : $"{Source}:{Target}";
}
