using System.Text;
using System.Text.RegularExpressions;

namespace Build.Settings;

/// <summary>One <c>KEY=value</c> of a .env file and the line it started on.</summary>
public sealed record DotEnvEntry(string Key, string Value, int Line);

/// <summary>
/// Reads a .env file with the syntax docker compose accepts: comments, blank lines, an optional
/// <c>export</c>, single quotes (literal), double quotes (escapes <c>\n \r \t \" \\ \$</c>, may span lines),
/// unquoted values with a trailing <c> # comment</c>, <c>${VAR}</c>/<c>${VAR:-default}</c>/<c>$VAR</c> expansion
/// in unquoted and double-quoted values, <c>$$</c> for a literal <c>$</c>, LF or CRLF.
/// </summary>
public static partial class DotEnvFile
{
    public sealed record Result(IReadOnlyList<DotEnvEntry> Entries, IReadOnlyList<string> Errors);

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_.]*\z")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\$(?:(?<dollar>\$)|\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Reference();

    // Inside double quotes a backslash escape is read in the same pass as the references, so \$ stays a literal $.
    [GeneratedRegex(@"\\(?<escape>[\s\S])|\$(?:(?<dollar>\$)|\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex EscapeOrReference();

    public static Result Parse(string text, Func<string, string?> environment)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var entries = new List<DotEnvEntry>();
        var errors = new List<string>();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimStart();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                errors.Add($"line {lineNumber}: expected KEY=VALUE (no '=' found; the line is not shown in case it holds a secret)");
                continue;
            }

            var key = line[..eq].Trim();
            if (!KeyPattern().IsMatch(key))
            {
                errors.Add($"line {lineNumber}: \"{Shorten(key)}\" is not a valid name (letters, digits, '_' and '.', not starting with a digit)");
                continue;
            }

            var rest = line[(eq + 1)..].TrimStart(' ', '\t');
            string? value;
            string? error;
            if (rest.StartsWith('"') || rest.StartsWith('\''))
            {
                (value, error) = ReadQuoted(rest, lines, ref i);
                if (value is not null && rest[0] == '"')
                {
                    value = Expand(EscapeOrReference(), value, known, environment);
                }
            }
            else
            {
                (value, error) = (Expand(Reference(), StripComment(rest), known, environment), null);
            }

            if (error is not null)
            {
                errors.Add($"line {lineNumber}: {error}");
                continue;
            }

            known[key] = value!;
            entries.Add(new DotEnvEntry(key, value!, lineNumber));
        }

        return new Result(entries, errors);
    }

    private static string StripComment(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '#' && (i == 0 || value[i - 1] is ' ' or '\t'))
            {
                return value[..i].TrimEnd();
            }
        }

        return value.TrimEnd();
    }

    private static (string? Value, string? Error) ReadQuoted(string start, string[] lines, ref int index)
    {
        var quote = start[0];
        var text = new StringBuilder();
        var current = start[1..];
        var first = index;
        while (true)
        {
            for (var i = 0; i < current.Length; i++)
            {
                var c = current[i];
                if (c == quote)
                {
                    var tail = current[(i + 1)..].Trim();
                    return tail.Length == 0 || tail[0] == '#'
                        ? (text.ToString(), null)
                        : (null, "unexpected text after the closing quote (only a # comment may follow)");
                }

                if (quote == '"' && c == '\\' && i + 1 < current.Length)
                {
                    // Kept as written (an escaped quote does not close the value); Expand reads the escape.
                    text.Append(c).Append(current[++i]);
                    continue;
                }

                text.Append(c);
            }

            if (++index >= lines.Length)
            {
                index = first;
                return (null, $"the value opened with {quote} is never closed");
            }

            text.Append('\n');
            current = lines[index];
        }
    }

    private static string Expand(Regex pattern, string value, IReadOnlyDictionary<string, string> known, Func<string, string?> environment) =>
        pattern.Replace(value, match =>
        {
            if (match.Groups["escape"].Success)
            {
                // As compose: the usual escapes, \$ for a literal $; an unknown one keeps its backslash.
                return match.Groups["escape"].Value switch
                {
                    "n" => "\n", "r" => "\r", "t" => "\t", "a" => "\a", "b" => "\b", "f" => "\f", "v" => "\v",
                    "\"" or "\\" or "$" => match.Groups["escape"].Value,
                    var other => "\\" + other,
                };
            }

            if (match.Groups["dollar"].Success)
            {
                return "$";
            }

            var name = match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value;
            var found = known.TryGetValue(name, out var fromFile) ? fromFile : environment(name);
            return string.IsNullOrEmpty(found) && match.Groups["default"].Success ? match.Groups["default"].Value : found ?? string.Empty;
        });

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
