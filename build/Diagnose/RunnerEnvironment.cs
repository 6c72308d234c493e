using Build.Secrets;

namespace Build.Diagnose;

/// <summary>A runner process's environment, read once, with every credential in it registered with the redactor first.</summary>
public static class RunnerEnvironment
{
    public static IReadOnlyDictionary<string, string> Read(IEnumerable<string> variables, Redactor redactor, string whose)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in variables)
        {
            var (name, value) = RunnerConfigFile.Split(variable);
            environment[name] = value;
        }

        foreach (var (name, value) in environment)
        {
            if (value.Length > 0 && RunnerConfigFile.SecretVariable().IsMatch(name))
            {
                redactor.Add(new Secret(value), $"{name} of {whose} environment");
            }

            if (name == "DOCKER_AUTH_CONFIG")
            {
                DockerConfigJson.RegisterSecrets(value, redactor, $"an auth of DOCKER_AUTH_CONFIG in {whose} environment");
            }
        }

        return environment;
    }

    /// <summary>This process's environment, as a host runner's is taken to be.</summary>
    public static IReadOnlyDictionary<string, string> OfThisProcess() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? string.Empty, StringComparer.Ordinal);

    /// <summary>AWS variables that decide where the helper finds credentials, as they name them.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> environment) =>
        string.Join(", ", environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)) is { Length: > 0 } names ? names : "no AWS_ variable";
}
