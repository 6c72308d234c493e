using Build.Secrets;

namespace Build.Settings;

/// <summary>
/// A value set in .env.local or .env that the environment or an argument overrides: compose's order, but easy to
/// miss (a machine-wide variable beats the file the user edited), so the run prints one line for each.
/// </summary>
public sealed record OverriddenFileValue(SettingDefinition Setting, SettingValue Used, SettingValue InFile)
{
    /// <summary>The setting, both origins and, for a non-secret setting, both values (shortened); a secret's values never.</summary>
    public string Line =>
        $"{Setting.Key} from {Used.Describe(Setting)}{Shown(Used)} overrides {InFile.Describe(Setting)}{Shown(InFile)}"
        + (Setting.IsSecret ? " (a secret: values not shown)" : string.Empty);

    private string Shown(SettingValue value)
    {
        if (Setting.IsSecret)
        {
            return string.Empty;
        }

        var text = Echo.Visible(Echo.Url(value.Text));
        return $" (\"{(text.Length <= 60 ? text : text[..59] + "…")}\")";
    }

    public override string ToString() => Line;
}
