namespace Build.Settings;

/// <summary>Every problem found in the settings of one run, reported together before any task runs.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
