using System.Text.RegularExpressions;

namespace Build.Settings;

/// <summary>
/// Sets one <c>KEY=value</c> in a .env-style file and writes it atomically (temporary file, mode 0600, rename):
/// the line that sets the key is replaced, or a line is appended; every other byte is kept.
/// </summary>
public static partial class EnvLocalFile
{
    public const string Header =
        "# Your own settings and secrets for gitlab-runner-ecr: git-ignored, mode 0600; overrides .env.\n";

    [GeneratedRegex(@"^[ \t]*(export[ \t]+)?(?<key>[A-Za-z_][A-Za-z0-9_.]*)[ \t]*=", RegexOptions.Multiline)]
    private static partial Regex Assignment();

    /// <summary>
    /// The text with <paramref name="key"/> set to <paramref name="value"/>, quoted so that the file reads back as exactly
    /// that value (here and in docker compose); throws <see cref="ArgumentException"/> for a value with a line break.
    /// </summary>
    public static string WithValue(string? text, string key, string value)
    {
        text ??= Header;
        var line = $"{key}={Quote(key, value)}";
        var last = Assignment().Matches(text).LastOrDefault(m => m.Groups["key"].Value == key);
        if (last is not null)
        {
            var end = text.IndexOf('\n', last.Index);
            var stop = end < 0 ? text.Length : end > 0 && text[end - 1] == '\r' ? end - 1 : end;
            return string.Concat(text.AsSpan(0, last.Index), line, text.AsSpan(stop));
        }

        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var separator = text.Length == 0 || text.EndsWith('\n') ? string.Empty : newline;
        return text + separator + line + newline;
    }

    /// <summary>Writes the file through a temporary file beside it (mode 0600) and a rename, so a reader never sees half of it.</summary>
    public static void WriteAtomically(string path, string text) => Build.Files.AtomicFile.Write(path, text);

    /// <summary>
    /// Plain words as they are; otherwise single quotes, which both readers take literally (no <c>$</c> expansion, no
    /// escapes) as long as the value holds no <c>'</c> and no backslash; otherwise double quotes with <c>\\</c>, <c>\"</c>
    /// and <c>\$</c> escaped.
    /// </summary>
    private static string Quote(string key, string value)
    {
        if (value.IndexOfAny(['\n', '\r', '\0']) >= 0)
        {
            throw new ArgumentException($"{key} cannot be written to .env.local: its value holds a line break (or a NUL), which no path has; check where the value came from", nameof(value));
        }

        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',' or '@' or '~'))
        {
            return value;
        }

        return value.IndexOfAny(['\'', '\\']) < 0
            ? "'" + value + "'"
            : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$") + "\"";
    }
}
