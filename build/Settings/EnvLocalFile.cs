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

    /// <summary>The text with <paramref name="key"/> set to <paramref name="value"/> (quoted when it needs to be).</summary>
    public static string WithValue(string? text, string key, string value)
    {
        text ??= Header;
        var line = $"{key}={Quote(value)}";
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
    public static void WriteAtomically(string path, string text)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',' or '@' or '~')
            ? value
            : value.Contains('\'') ? "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : "'" + value + "'";
}
