using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Build.RunnerConfig;

/// <summary>
/// Merges a <see cref="RunnerEntry"/> into config.toml through Tomlyn's round-trippable syntax tree: only owned keys of
/// the entry named <see cref="RunnerEntry.Name"/> (and the global <c>concurrent</c>) are set, added or removed; every
/// other byte (comments, other runners, unknown keys, the runner's own <c>token_obtained_at</c>…) is kept.
/// </summary>
public static class ConfigToml
{
    private const string Runners = "runners";
    private const string RunnersDocker = "runners.docker";

    /// <summary>The existing runner token of the entry named <paramref name="name"/>, if the file has one.</summary>
    public static string? TokenOf(string? text, string name, string path = "config.toml")
    {
        var document = Parse(text, path);
        return FindEntry(document, name, path) is { } entry && Find(entry.Runner.Items, "token")?.Value is StringValueSyntax token && token.Value is { Length: > 0 } value ? value : null;
    }

    /// <summary>The merged text; equal to <paramref name="text"/> when nothing owned changed.</summary>
    public static string Merge(string? text, RunnerEntry entry, string path = "config.toml")
    {
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

        if (Find(found.Runner.Items, "executor")?.Value is StringValueSyntax { Value: { } executor } && executor != RunnerEntry.Executor)
        {
            throw new ConfigTomlException(
                $"{path}: the [[runners]] entry named \"{entry.Name}\" uses executor \"{executor}\", and Register writes a docker-executor runner",
                $"set RUNNER_NAME to another name (Register adds its own entry beside this one), or rename or remove that entry");
        }

        var runnerSection = new Section(found.Runner.Items, found.Runner.EndOfLineToken, Indent);
        SetString(runnerSection, "url", entry.Url);
        SetString(runnerSection, "token", entry.Token.Reveal());
        SetString(runnerSection, "executor", RunnerEntry.Executor);
        MergeEnvironment(runnerSection, entry.Environment);

        var docker = found.SubTables.FirstOrDefault(t => t is TableSyntax && KeyPath(t.Name) == RunnersDocker);
        var runnerIndent = runnerSection.Indentation();
        if (docker is null)
        {
            docker = new TableSyntax(new KeySyntax(Runners, "docker"));
            InsertAfter(document, found.SubTables.LastOrDefault() ?? (TableSyntaxBase)found.Runner, docker, runnerIndent);
        }

        var dockerSection = new Section(docker.Items, docker.EndOfLineToken, runnerIndent + Indent);
        SetString(dockerSection, "image", entry.Docker.Image);
        SetBoolean(dockerSection, "privileged", true);
        MergeVolumes(dockerSection, entry.Docker.Volumes);
        SetStrings(dockerSection, "extra_hosts", entry.Docker.ExtraHosts.Count > 0 ? entry.Docker.ExtraHosts : null);
        if (entry.Docker.NetworkMode is { } network)
        {
            SetString(dockerSection, "network_mode", network);
        }
        else
        {
            Remove(dockerSection, "network_mode");
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
                $"{path} is not valid TOML: line {error.Span.Start.Line + 1}, column {error.Span.Start.Column + 1}: {error.Message}",
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

    private const string Indent = "  ";

    /// <summary>
    /// The key/value list of a table with the token ending its header line. Tomlyn keeps a line's indentation (and the
    /// blank lines before it) as trailing trivia of the previous line's end token, so appending moves that trivia along.
    /// </summary>
    private sealed record Section(SyntaxList<KeyValueSyntax> Items, SyntaxToken? HeaderEnd, string DefaultIndent)
    {
        /// <summary>The token ending the section's last line; a last line without a line break (end of file) gets one.</summary>
        public SyntaxToken? LastEnd
        {
            get
            {
                if (Items.ChildrenCount == 0)
                {
                    return HeaderEnd;
                }

                var last = Items.GetChild(Items.ChildrenCount - 1)!;
                return last.EndOfLineToken ??= SyntaxFactory.NewLine();
            }
        }

        /// <summary>The indentation of the section's first key, or the default for a new one.</summary>
        public string Indentation() => Items.ChildrenCount > 0 && HeaderEnd is not null ? IndentationAfter(HeaderEnd) : DefaultIndent;

        public void Append(KeyValueSyntax item)
        {
            var indent = Indentation();
            if (LastEnd is { } previous)
            {
                item.EndOfLineToken!.TrailingTrivia = previous.TrailingTrivia;
                previous.TrailingTrivia = indent.Length > 0 ? [new SyntaxTrivia(TokenKind.Whitespaces, indent)] : null;
            }
            else if (indent.Length > 0)
            {
                item.Key!.Key!.AddLeadingTrivia(new SyntaxTrivia(TokenKind.Whitespaces, indent));
            }

            Items.Add(item);
        }
    }

    private static string IndentationAfter(SyntaxToken token)
    {
        var trivia = token.TrailingTrivia ?? [];
        var lastBreak = trivia.FindLastIndex(t => t.Kind == TokenKind.NewLine);
        var rest = trivia.Skip(lastBreak + 1).ToList();
        return rest.All(t => t.Kind == TokenKind.Whitespaces) ? string.Concat(rest.Select(t => t.Text)) : string.Empty;
    }

    private static SyntaxToken? LastEnd(DocumentSyntax document)
    {
        if (document.Tables.ChildrenCount > 0)
        {
            var table = document.Tables.GetChild(document.Tables.ChildrenCount - 1)!;
            return new Section(table.Items, table.EndOfLineToken, Indent).LastEnd;
        }

        return new Section(document.KeyValues, null, string.Empty).LastEnd;
    }

    private static KeyValueSyntax? Find(SyntaxList<KeyValueSyntax> items, string key) =>
        items.FirstOrDefault(kv => KeyPath(kv.Key) == key);

    private static void Set(Section section, string key, ValueSyntax value, Func<ValueSyntax, bool> same)
    {
        if (Find(section.Items, key) is { } existing)
        {
            if (existing.Value is null || !same(existing.Value))
            {
                // The spacing before a trailing comment and any leading spacing stay as they were.
                if (existing.Value is not null)
                {
                    var (oldFirst, oldLast) = Ends(existing.Value);
                    var (newFirst, newLast) = Ends(value);
                    newFirst.LeadingTrivia = oldFirst.LeadingTrivia;
                    newLast.TrailingTrivia = oldLast.TrailingTrivia;
                }

                existing.Value = value;
            }

            return;
        }

        section.Append(new KeyValueSyntax(key, value));
    }

    private static (SyntaxToken First, SyntaxToken Last) Ends(ValueSyntax value)
    {
        var tokens = value.Descendants(true).OfType<SyntaxToken>().ToList();
        return (tokens[0], tokens[^1]);
    }

    private static void SetString(Section section, string key, string value) =>
        Set(section, key, new StringValueSyntax(value), v => v is StringValueSyntax s && s.Value == value);

    private static void SetInteger(Section section, string key, long value) =>
        Set(section, key, new IntegerValueSyntax(value), v => v is IntegerValueSyntax i && i.Value == value);

    private static void SetBoolean(Section section, string key, bool value) =>
        Set(section, key, new BooleanValueSyntax(value), v => v is BooleanValueSyntax b && b.Value == value);

    private static void SetStrings(Section section, string key, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            Remove(section, key);
            return;
        }

        Set(section, key, new ArraySyntax([.. values]), v => Strings(v) is { } existing && existing.SequenceEqual(values, StringComparer.Ordinal));
    }

    private static void Remove(Section section, string key)
    {
        if (Find(section.Items, key) is not { } existing)
        {
            return;
        }

        // The removed line's end carried the next line's indentation: the line before takes it over.
        var index = section.Items.ToList().IndexOf(existing);
        var previous = index > 0 ? section.Items.GetChild(index - 1)!.EndOfLineToken : section.HeaderEnd;
        if (previous is not null)
        {
            previous.TrailingTrivia = existing.EndOfLineToken?.TrailingTrivia;
        }

        section.Items.RemoveChild(existing);
    }

    /// <summary>The strings of an array value; null when it is not an array of strings.</summary>
    internal static List<string>? Strings(ValueSyntax? value)
    {
        if (value is not ArraySyntax array)
        {
            return null;
        }

        var strings = new List<string>();
        foreach (var item in array.Items)
        {
            if (item.Value is not StringValueSyntax { Value: { } text })
            {
                return null;
            }

            strings.Add(text);
        }

        return strings;
    }

    private static void MergeEnvironment(Section section, IReadOnlyList<KeyValuePair<string, string>> wanted)
    {
        var existing = Strings(Find(section.Items, "environment")?.Value) ?? [];
        var wantedNames = wanted.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        var merged = wanted.Select(w => $"{w.Key}={w.Value}").ToList();
        merged.AddRange(existing.Where(e => !RunnerEntry.OwnedVariables.Contains(NameOf(e)) && !wantedNames.Contains(NameOf(e))));
        SetStrings(section, "environment", merged);

        static string NameOf(string entry) => entry.Split('=', 2)[0];
    }

    private static void MergeVolumes(Section section, IReadOnlyList<string> wanted)
    {
        var existing = Strings(Find(section.Items, "volumes")?.Value) ?? [];
        var merged = wanted.ToList();
        merged.AddRange(existing.Where(v => !RunnerEntry.OwnedVolumeTargets.Contains(RunnerEntry.VolumeTarget(v))));
        SetStrings(section, "volumes", merged);
    }

    /// <summary>Inserts <paramref name="table"/> after <paramref name="anchor"/>, indented by <paramref name="indent"/>, keeping what followed the anchor after it.</summary>
    private static void InsertAfter(DocumentSyntax document, TableSyntaxBase anchor, TableSyntaxBase table, string indent)
    {
        var anchorEnd = new Section(anchor.Items, anchor.EndOfLineToken, Indent).LastEnd;
        if (anchorEnd is not null)
        {
            table.EndOfLineToken!.TrailingTrivia = anchorEnd.TrailingTrivia;
            anchorEnd.TrailingTrivia = indent.Length > 0 ? [new SyntaxTrivia(TokenKind.Whitespaces, indent)] : null;
        }

        var tables = document.Tables.ToList();
        var index = tables.IndexOf(anchor);
        for (var i = tables.Count - 1; i > index; i--)
        {
            document.Tables.RemoveChildAt(i);
        }

        document.Tables.Add(table);
        foreach (var later in tables.Skip(index + 1))
        {
            document.Tables.Add(later);
        }
    }
}
