namespace Build.Secrets;

/// <summary>
/// A sensitive value (AWS key, GitLab token). It never prints itself: <see cref="ToString"/>,
/// string interpolation and debugger display all show a mask; only <see cref="Reveal"/> gives the value,
/// and callers pass that to stdin or a child's environment, never to argv or a log.
/// </summary>
[System.Diagnostics.DebuggerDisplay("***")]
public sealed class Secret : IEquatable<Secret>
{
    public const string Mask = "***";

    private readonly string _value;

    public Secret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    public string Reveal() => _value;

    public override string ToString() => Mask;

    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Secret other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
