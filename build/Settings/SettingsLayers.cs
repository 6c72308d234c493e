using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>
/// Resolves each setting from its layers: <c>--argument</c> over environment variable over the git-ignored
/// .env.local over the committed .env over the default. Empty values count as unset, as docker compose treats them.
/// </summary>
public sealed partial class SettingsLayers
{
    private readonly Dictionary<string, SettingValue> _values = new(StringComparer.Ordinal);
    private readonly DirectoryPath _root;
    private readonly DirectoryPath _invocationDirectory;

    private SettingsLayers(DirectoryPath root, DirectoryPath invocationDirectory)
    {
        _root = root;
        _invocationDirectory = invocationDirectory;
    }

    public List<string> Problems { get; } = [];

    /// <summary>Values of .env.local or .env that an argument or the environment overrides with a different value.</summary>
    public List<OverriddenFileValue> Overridden { get; } = [];

    /// <param name="root">Where relative paths from .env.local, .env and defaults start.</param>
    /// <param name="invocationDirectory">Where relative paths from arguments and the environment start.</param>
    public static SettingsLayers Resolve(
        DirectoryPath root,
        DirectoryPath invocationDirectory,
        IReadOnlyDictionary<string, string> arguments,
        Func<string, string?> environment,
        string? dotEnvText,
        string? dotEnvLocalText = null,
        Func<bool>? dotEnvIsTracked = null,
        Action<string, Secret>? secretSeen = null)
    {
        var layers = new SettingsLayers(root, invocationDirectory);
        var fromFile = layers.ReadFile(".env", dotEnvText, environment);
        var fromLocal = layers.ReadFile(".env.local", dotEnvLocalText, environment);

        // Every secret value of every layer is made known before anything runs (git, for the tracked check), so that no
        // child process inherits one and no message shows one, whichever layer wins.
        foreach (var definition in SettingCatalog.All.Where(d => d.IsSecret))
        {
            var values = new[]
            {
                arguments.FirstOrDefault(a => SettingDefinition.KeyFromArgument(a.Key) == definition.Key).Value,
                environment(definition.Key),
                fromLocal.GetValueOrDefault(definition.Key)?.Value,
                fromFile.GetValueOrDefault(definition.Key)?.Value,
            };
            foreach (var value in values.Where(v => !string.IsNullOrEmpty(v)))
            {
                secretSeen?.Invoke(definition.Key, new Secret(value!));
            }
        }
        var tracked = new Lazy<bool>(() => dotEnvIsTracked?.Invoke() ?? false);

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
            if (definition.IsSecret && fromFile.TryGetValue(definition.Key, out var committed) && committed.Value.Length > 0 && tracked.Value)
            {
                // .env is committed: a secret in it would be pushed with the next commit, whichever layer wins.
                layers.Problems.Add($"{definition.Key} is set in .env line {committed.Line}, which git tracks (it would be committed with the project's defaults): move it to .env.local (git-ignored, chmod 600)");
                continue;
            }

            if (fromArguments.TryGetValue(definition.Key, out var argument) && argument.Length > 0)
            {
                if (definition.IsSecret)
                {
                    // A value on the command line is visible to every user through the process list.
                    layers.Problems.Add($"{definition.Key} was given as argument {definition.Argument}; secrets are not accepted on the command line (visible in the process list): set {definition.Key} in the environment or in .env.local");
                    continue;
                }

                layers._values[definition.Key] = new SettingValue(argument, SettingOrigin.Argument);
            }
            else if (environment(definition.Key) is { Length: > 0 } fromEnvironment)
            {
                layers._values[definition.Key] = new SettingValue(fromEnvironment, SettingOrigin.Environment);
            }
            else if (fromLocal.TryGetValue(definition.Key, out var local) && local.Value.Length > 0)
            {
                layers._values[definition.Key] = new SettingValue(local.Value, SettingOrigin.DotEnvLocal, local.Line);
            }
            else if (fromFile.TryGetValue(definition.Key, out var entry) && entry.Value.Length > 0)
            {
                layers._values[definition.Key] = new SettingValue(entry.Value, SettingOrigin.DotEnv, entry.Line);
            }
            else if (definition.Default is not null)
            {
                layers._values[definition.Key] = new SettingValue(definition.Default, SettingOrigin.Default);
            }

            if (layers.Get(definition) is { Origin: SettingOrigin.Argument or SettingOrigin.Environment } used
                && (FromFile(fromLocal, SettingOrigin.DotEnvLocal) ?? FromFile(fromFile, SettingOrigin.DotEnv)) is { } inFile
                && inFile.Text != used.Text)
            {
                layers.Overridden.Add(new OverriddenFileValue(definition, used, inFile));
            }

            SettingValue? FromFile(Dictionary<string, DotEnvEntry> file, SettingOrigin origin) =>
                file.TryGetValue(definition.Key, out var entry) && entry.Value.Length > 0 ? new SettingValue(entry.Value, origin, entry.Line) : null;
        }

        return layers;
    }

    private Dictionary<string, DotEnvEntry> ReadFile(string name, string? text, Func<string, string?> environment)
    {
        var entries = new Dictionary<string, DotEnvEntry>(StringComparer.Ordinal);
        if (text is not null)
        {
            var parsed = DotEnvFile.Parse(text, environment);
            Problems.AddRange(parsed.Errors.Select(e => name + " " + ParseErrors.Mask(e)));
            foreach (var entry in parsed.Entries)
            {
                entries[entry.Key] = entry;
            }
        }

        return entries;
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
        var shown = value is null ? "(unset)" : definition.IsSecret ? "(value hidden)" : $"\"{Echo.Visible(Echo.Url(value.Text))}\"";
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
