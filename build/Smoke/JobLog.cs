using System.Text.RegularExpressions;

namespace Build.Smoke;

/// <summary>A job log as GitLab's trace endpoint gives it, made readable: no colour codes, no collapsible-section markers.</summary>
public static partial class JobLog
{
    public static string Clean(string trace)
    {
        var text = Ansi().Replace(trace.Replace("\r\n", "\n", StringComparison.Ordinal), string.Empty);
        var lines = text.Split('\n').Select(l => l.Contains('\r', StringComparison.Ordinal) ? l[(l.LastIndexOf('\r') + 1)..] : l);
        return string.Join('\n', lines.Select(l => Section().Replace(l, string.Empty))).TrimEnd();
    }

    /// <summary>The last <paramref name="count"/> lines.</summary>
    public static string Tail(string log, int count) =>
        string.Join('\n', log.Split('\n').TakeLast(count));

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"section_(start|end):[0-9]+:[A-Za-z0-9_.-]+(\[[^\]]*\])?")]
    private static partial Regex Section();
}
