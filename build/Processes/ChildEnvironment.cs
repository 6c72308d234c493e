using System.Collections;
using Build.Secrets;

namespace Build.Processes;

/// <summary>
/// What a child process inherits. Every child gets the build's environment less its secrets: each
/// registered secret's variable, AWS key material, and any variable whose value holds a known secret.
/// A child that needs one of them gets it through <see cref="CommandOptions.SecretEnvironment"/>.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>AWS key material: a child gets it only when passed explicitly.</summary>
    public static readonly IReadOnlyList<string> AwsKeyVariables =
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];

    /// <summary>The build's secret settings (GitLab tokens among them): never inherited, whether or not a value was read.</summary>
    public static IEnumerable<string> SecretSettings => Settings.SettingCatalog.All.Where(d => d.IsSecret).Select(d => d.Key);

    /// <summary>The variables to set for a child (a null value removes an inherited one).</summary>
    public static Dictionary<string, string?> For(CommandOptions options, Redactor redactor, IDictionary inherited)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in AwsKeyVariables.Concat(SecretSettings).Concat(redactor.Secrets.Select(s => s.Name)).Concat(options.RemoveEnvironment))
        {
            variables[name] = null;
        }

        foreach (DictionaryEntry entry in inherited)
        {
            if (entry.Key is string name && redactor.NameOfSecretIn(entry.Value as string) is not null)
            {
                variables[name] = null;
            }
        }

        foreach (var (name, value) in options.Environment)
        {
            variables[name] = value;
        }

        foreach (var (name, secret) in options.SecretEnvironment)
        {
            variables[name] = secret.Reveal();
        }

        return variables;
    }
}
