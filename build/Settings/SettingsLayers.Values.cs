using Build.Secrets;
using Cake.Core.IO;

namespace Build.Settings;

/// <summary>Typed reads of the resolved settings, for the records' Read methods: a refused text is recorded as a problem.</summary>
public sealed partial class SettingsLayers
{
    private const string PathRule = "a path holds no line break (nor NUL), and .env.local could not record one";

    /// <summary>
    /// The value of a setting that has a default in <see cref="SettingCatalog"/>, so some text is always there. When that
    /// text is refused the problem is recorded and Load throws, so the placeholder returned then is never seen.
    /// </summary>
    public T Defaulted<T>(SettingDefinition definition, Func<string, T?> parse, string? reason = null)
        where T : struct =>
        Parse(definition, parse, reason) ?? Placeholder<T>(definition);

    /// <summary>As the overload above, for a reference type.</summary>
    public T Defaulted<T>(SettingDefinition definition, Func<string, T?> parse, string? reason = null)
        where T : class =>
        Parse(definition, parse, reason) ?? Placeholder<T>(definition);

    /// <summary>A true-or-false setting (they all have a default).</summary>
    public bool Flag(SettingDefinition definition) => Defaulted(definition, SettingParsers.Bool);

    /// <summary>A comma-separated list, entries trimmed and empty ones dropped; empty when unset.</summary>
    public IReadOnlyList<string> List(SettingDefinition definition) =>
        (Get(definition)?.Text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Secret? SecretOf(SettingDefinition definition) => Get(definition) is { } value ? new Secret(value.Text) : null;

    /// <summary>An absolute file path: a relative one starts where its layer says (see <see cref="Resolve"/>).</summary>
    public FilePath? File(SettingDefinition definition) =>
        Parse(definition, text => IsPath(text) ? new FilePath(text).MakeAbsolute(BaseFor(definition)).Collapse() : null, PathRule);

    /// <summary>An absolute folder path of a setting with a default: a relative one starts where its layer says.</summary>
    public DirectoryPath Directory(SettingDefinition definition) =>
        Defaulted(definition, text => IsPath(text) ? new DirectoryPath(text).MakeAbsolute(BaseFor(definition)).Collapse() : null, PathRule);

    private DirectoryPath BaseFor(SettingDefinition definition) =>
        Get(definition)?.Origin is SettingOrigin.Argument or SettingOrigin.Environment ? _invocationDirectory : _root;

    private static bool IsPath(string text) => text.IndexOfAny(['\n', '\r', '\0']) < 0;

    private static T Placeholder<T>(SettingDefinition definition) =>
        definition.Default is null
            ? throw new InvalidOperationException($"{definition.Key} has no default in SettingCatalog: read it with Parse, as an optional value")
            : default!;
}
