using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Build.RunnerConfig;

/// <summary>
/// Merges a <see cref="RunnerEntry"/> into config.toml through Tomlyn's round-trippable syntax tree: only owned keys of
/// the entry named <see cref="RunnerEntry.Name"/> (and the global <c>concurrent</c>) are set, added or removed; every
/// other byte (comments, other runners, unknown keys, the runner's own <c>token_obtained_at</c>…) is kept.
/// </summary>
public static partial class ConfigToml
{
    private const string Runners = "runners";

    /// <summary>The existing runner token of the entry named <paramref name="name"/>, if the file has one.</summary>
    public static string? TokenOf(string? text, string name, string path = "config.toml")
    {
        var document = Parse(text, path);
        return FindEntry(document, name, path) is { } entry && Find(entry.Runner.Items, "token")?.Value is StringValueSyntax token && token.Value is { Length: > 0 } value ? value : null;
    }

    /// <summary>The merged text; equal to <paramref name="text"/> when nothing owned changed.</summary>
    /// <param name="known">The executors Register writes, with their sections (<see cref="RunnerExecutor.Known"/> unless a test gives its own).</param>
    public static string Merge(string? text, RunnerEntry entry, string path = "config.toml", IReadOnlyDictionary<string, IReadOnlyList<string>>? known = null)
    {
        known ??= RunnerExecutor.Known;
        var document = Parse(text, path);
        var root = new Section(document.KeyValues, null, string.Empty);
        if (entry.Concurrent is { } concurrent || Find(document.KeyValues, "concurrent") is null)
        {
            SetInteger(root, "concurrent", entry.Concurrent ?? 1);
        }

        var found = FindEntry(document, entry.Name, path);
        if (found is null)
        {
            var runner = new TableArraySyntax(Runners);
            var last = LastEnd(document);
            if (last is not null)
            {
                // A blank line between the previous content and the new entry.
                last.TrailingTrivia = [.. last.TrailingTrivia ?? [], SyntaxFactory.NewLineTrivia()];
            }

            document.Tables.Add(runner);
            found = new Entry(runner, []);
            SetString(new Section(runner.Items, runner.EndOfLineToken, Indent), "name", entry.Name);
        }

        var previous = Find(found.Runner.Items, "executor")?.Value is StringValueSyntax { Value: { } executor } ? executor : null;
        if (previous is not null && previous != entry.Executor.Name && !known.ContainsKey(previous))
        {
            throw new ConfigTomlException(
                $"{path}: the [[runners]] entry named \"{entry.Name}\" uses executor \"{previous}\", and Register writes a {entry.Executor.Name}-executor runner",
                $"set RUNNER_NAME to another name (Register adds its own entry beside this one), or rename or remove that entry");
        }

        var runnerSection = new Section(found.Runner.Items, found.Runner.EndOfLineToken, Indent);
        SetString(runnerSection, "url", entry.Url);
        SetString(runnerSection, "token", entry.Token.Reveal());
        SetString(runnerSection, "executor", entry.Executor.Name);
        Set(runnerSection, "environment", entry.EnvironmentValue);

        // The sections an executor Register wrote before owned, and this one does not, go with their keys.
        var runnerIndent = runnerSection.Indentation();
        if (previous is not null && known.TryGetValue(previous, out var before))
        {
            foreach (var name in before.Except(entry.Executor.Owned, StringComparer.Ordinal))
            {
                RemoveTables(document, found, name);
            }
        }

        foreach (var section in entry.Executor.Sections)
        {
            MergeSection(document, found, section, runnerIndent);
        }

        foreach (var array in entry.Executor.Arrays)
        {
            RemoveTables(document, found, array.Name, arraysOnly: true);
            foreach (var item in array.Items)
            {
                var table = new TableArraySyntax(Key([Runners, .. array.Name.Split('.')]));
                InsertAfter(document, found.SubTables.LastOrDefault() ?? (TableSyntaxBase)found.Runner, table, runnerIndent);
                found.SubTables.Add(table);
                SetAll(new Section(table.Items, table.EndOfLineToken, runnerIndent + Indent), item);
            }
        }

        return document.ToString();
    }

    /// <summary>Parses config.toml; a syntax error is a <see cref="ConfigTomlException"/> with its line and column.</summary>
    public static DocumentSyntax Parse(string? text, string path = "config.toml")
    {
        var document = SyntaxParser.Parse(text ?? string.Empty, path, validate: true);
        if (document.HasErrors)
        {
            var error = document.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new ConfigTomlException(
                $"{path} is not valid TOML: line {error.Span.Start.Line + 1}, column {error.Span.Start.Column + 1}: {Secrets.ParseErrors.Mask(error.Message)}",
                "correct that line (the runner would not load the file either), or move the file away to start from a new one; Register keeps a backup of every file it replaces");
        }

        return document;
    }

    private sealed record Entry(TableArraySyntax Runner, List<TableSyntaxBase> SubTables);

    private static Entry? FindEntry(DocumentSyntax document, string name, string path)
    {
        var entries = new List<Entry>();
        Entry? current = null;
        foreach (var table in document.Tables)
        {
            var key = KeyPath(table.Name);
            if (table is TableArraySyntax array && key == Runners)
            {
                current = new Entry(array, []);
                entries.Add(current);
            }
            else if (current is not null && key.StartsWith(Runners + ".", StringComparison.Ordinal))
            {
                current.SubTables.Add(table);
            }
            else
            {
                current = null;
            }
        }

        var named = entries.Where(e => Find(e.Runner.Items, "name")?.Value is StringValueSyntax s && s.Value == name).ToList();
        return named.Count switch
        {
            0 => null,
            1 => named[0],
            _ => throw new ConfigTomlException(
                $"{path} has {named.Count} [[runners]] entries named \"{name}\" (an earlier registration appended instead of merging)",
                "keep one of them (the one whose token GitLab shows) and delete the others, then run Register again"),
        };
    }

    private static string KeyPath(KeySyntax? key)
    {
        if (key is null)
        {
            return string.Empty;
        }

        var parts = new List<string> { Part(key.Key) };
        foreach (var dotted in key.DotKeys)
        {
            parts.Add(Part(dotted.Key));
        }

        return string.Join('.', parts);
    }

    private static string Part(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };
}
