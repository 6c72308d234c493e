using Tomlyn.Syntax;

namespace Build.RunnerConfig;

/// <summary>
/// Editing Tomlyn's syntax tree in place: a key is set, added or removed; untouched nodes print as they were read.
/// Tomlyn keeps a line's indentation (and the blank lines before it) as trailing trivia of the previous line's end
/// token, so an appended line takes that trivia over and a removed line hands it back.
/// </summary>
public static partial class ConfigToml
{
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

    /// <summary>Sets, merges or removes one owned key.</summary>
    private static void Set(Section section, string key, OwnedValue value)
    {
        switch (value)
        {
            case OwnedValue.Text text:
                SetString(section, key, text.Value);
                break;
            case OwnedValue.Flag flag:
                SetBoolean(section, key, flag.Value);
                break;
            case OwnedValue.Number number:
                SetInteger(section, key, number.Value);
                break;
            case OwnedValue.List list:
                SetStrings(section, key, list.Values);
                break;
            case OwnedValue.SharedList shared:
                var theirs = (Strings(Find(section.Items, key)?.Value) ?? []).Where(item => !shared.IsOwned(item));
                SetStrings(section, key, [.. shared.Values, .. theirs]);
                break;
            default:
                Remove(section, key);
                break;
        }
    }

    private static void SetAll(Section section, IEnumerable<KeyValuePair<string, OwnedValue>> keys)
    {
        foreach (var (key, value) in keys)
        {
            Set(section, key, value);
        }
    }

    /// <summary>Finds or adds <c>[runners.&lt;name&gt;]</c> in the entry (after its last sub-table) and sets its owned keys.</summary>
    private static void MergeSection(DocumentSyntax document, Entry entry, RunnerSection section, string runnerIndent)
    {
        var path = Runners + "." + section.Name;
        var table = entry.SubTables.FirstOrDefault(t => t is TableSyntax && KeyPath(t.Name) == path);
        if (table is null)
        {
            table = new TableSyntax(Key([Runners, .. section.Name.Split('.')]));
            InsertAfter(document, entry.SubTables.LastOrDefault() ?? (TableSyntaxBase)entry.Runner, table, runnerIndent);
            entry.SubTables.Add(table);
        }

        SetAll(new Section(table.Items, table.EndOfLineToken, runnerIndent + Indent), section.Keys);
    }

    /// <summary>
    /// Removes the entry's tables named <c>runners.&lt;name&gt;</c> and those below it (only arrays of tables when
    /// <paramref name="arraysOnly"/>); the line before each takes over its trailing trivia, so the lines around stay as they were.
    /// </summary>
    private static void RemoveTables(DocumentSyntax document, Entry entry, string name, bool arraysOnly = false)
    {
        var path = Runners + "." + name;
        foreach (var table in entry.SubTables.Where(t => (KeyPath(t.Name) == path || KeyPath(t.Name).StartsWith(path + ".", StringComparison.Ordinal)) && (!arraysOnly || t is TableArraySyntax)).ToList())
        {
            var tables = document.Tables.ToList();
            var index = tables.IndexOf(table);
            var before = index > 0 ? tables[index - 1] : null;
            var previousEnd = before is null ? LastEnd(document.KeyValues) : new Section(before.Items, before.EndOfLineToken, Indent).LastEnd;
            var removedEnd = new Section(table.Items, table.EndOfLineToken, Indent).LastEnd;
            if (previousEnd is not null)
            {
                previousEnd.TrailingTrivia = removedEnd?.TrailingTrivia;
            }

            document.Tables.RemoveChild(table);
            entry.SubTables.Remove(table);
        }
    }

    private static SyntaxToken? LastEnd(SyntaxList<KeyValueSyntax> items) => new Section(items, null, string.Empty).LastEnd;

    /// <summary>A dotted key such as <c>runners.autoscaler.plugin_config</c>.</summary>
    private static KeySyntax Key(IReadOnlyList<string> parts)
    {
        var key = new KeySyntax(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            key.DotKeys.Add(new DottedKeyItemSyntax(part));
        }

        return key;
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
