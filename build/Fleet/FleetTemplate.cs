using System.Text.RegularExpressions;

namespace Build.Fleet;

/// <summary>The templates under assets/fleet: <c>{{NAME}}</c> placeholders, each given a value, none left over.</summary>
public static partial class FleetTemplate
{
    public static string Folder(string root) => Path.Combine(root, "assets", "fleet");

    public static string Read(string root, string name) => File.ReadAllText(Path.Combine(Folder(root), name));

    /// <summary>The template with every placeholder replaced; a placeholder without a value, or a value without a placeholder, is a defect of ours.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        var unused = values.Keys.Where(k => !template.Contains("{{" + k + "}}", StringComparison.Ordinal)).ToList();
        var text = Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"the fleet template has {m.Value} and no value is given for it"));
        return unused.Count == 0 ? text : throw new InvalidOperationException($"values given for placeholders the fleet template does not have: {string.Join(", ", unused)}");
    }

    /// <summary>Every line of <paramref name="text"/> indented by <paramref name="spaces"/> (for a YAML literal block); no trailing line break.</summary>
    public static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join('\n', text.TrimEnd('\n').Split('\n').Select(line => line.Length == 0 ? string.Empty : pad + line));
    }

    [GeneratedRegex(@"\{\{([A-Z0-9_]+)\}\}")]
    private static partial Regex Placeholder();
}
