using Build.Secrets;

namespace Build.Settings;

/// <summary>
/// Resolves each setting from its layers: <c>--argument</c> over environment variable over the repository's
/// .env over the default. Empty values count as unset, as docker compose treats them.
/// </summary>
public sealed class SettingsLayers
{
    private readonly Dictionary<string, SettingValue> _values = new(StringComparer.Ordinal);

    private SettingsLayers(List<string> problems) => Problems = problems;

    public List<string> Problems { get; }

    public static SettingsLayers Resolve(
        IReadOnlyDictionary<string, string> arguments,
        Func<string, string?> environment,
        string? dotEnvText)
    {
        var layers = new SettingsLayers([]);
        var fromFile = new Dictionary<string, DotEnvEntry>(StringComparer.Ordinal);
        if (dotEnvText is not null)
        {
            var parsed = DotEnvFile.Parse(dotEnvText, environment);
            layers.Problems.AddRange(parsed.Errors.Select(e => ".env " + e));
            foreach (var entry in parsed.Entries)
            {
                fromFile[entry.Key] = entry;
            }
        }

        var fromArguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            var key = SettingDefinition.KeyFromArgument(name);
            if (SettingCatalog.Find(key) is null)
            {
                layers.Problems.Add($"unknown argument {Echo.Word("--" + name.TrimStart('-'))}: {Suggest(key)}");
                continue;
            }

            fromArguments[key] = value;
        }

        foreach (var definition in SettingCatalog.All)
        {
            if (fromArguments.TryGetValue(definition.Key, out var argument) && argument.Length > 0)
            {
                if (definition.IsSecret)
                {
                    // A value on the command line is visible to every user through the process list.
                    layers.Problems.Add($"{definition.Key} was given as argument {definition.Argument}; secrets are not accepted on the command line (visible in the process list): set {definition.Key} in the environment or in .env");
                    continue;
                }

                layers._values[definition.Key] = new SettingValue(argument, SettingOrigin.Argument);
            }
            else if (environment(definition.Key) is { Length: > 0 } fromEnvironment)
            {
                layers._values[definition.Key] = new SettingValue(fromEnvironment, SettingOrigin.Environment);
            }
            else if (fromFile.TryGetValue(definition.Key, out var entry) && entry.Value.Length > 0)
            {
                layers._values[definition.Key] = new SettingValue(entry.Value, SettingOrigin.DotEnv, entry.Line);
            }
            else if (definition.Default is not null)
            {
                layers._values[definition.Key] = new SettingValue(definition.Default, SettingOrigin.Default);
            }
        }

        return layers;
    }

    public SettingValue? Get(SettingDefinition definition) => _values.GetValueOrDefault(definition.Key);

    /// <summary>Parses a set value; on failure records a problem naming the key, the value's source and what is accepted.</summary>
    public T? Parse<T>(SettingDefinition definition, Func<string, T?> parse, string? reason = null)
    {
        if (Get(definition) is not { } value)
        {
            return default;
        }

        var result = parse(value.Text);
        if (result is null)
        {
            Fail(definition, reason);
        }

        return result;
    }

    public void Fail(SettingDefinition definition, string? reason = null)
    {
        var value = Get(definition);
        var shown = value is null ? "(unset)" : definition.IsSecret ? "(value hidden)" : $"\"{Echo.Url(value.Text)}\"";
        var origin = value is null ? string.Empty : $" from {value.Describe(definition)}";
        Problems.Add($"{definition.Key} = {shown}{origin} is not valid{(reason is null ? string.Empty : ": " + reason)}; accepted: {definition.Accepts}");
    }

    private static string Suggest(string key)
    {
        var best = SettingCatalog.All.MinBy(d => Distance(d.Key, key));
        return best is not null && Distance(best.Key, key) <= 3
            ? $"did you mean {best.Argument}?"
            : "run with --help for the list of settings";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }
}
