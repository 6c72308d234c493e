namespace Build.Settings;

/// <summary>One setting: its name in .env and the environment, its <c>--argument</c>, default and what it accepts.</summary>
public sealed record SettingDefinition(string Key, string? Default, string Accepts, string Description, bool IsSecret = false)
{
    /// <summary>The command-line form: <c>RUNNER_NAME</c> is <c>--runner-name</c>.</summary>
    public string Argument => "--" + Key.ToLowerInvariant().Replace('_', '-');

    public static string KeyFromArgument(string argument) => argument.TrimStart('-').ToUpperInvariant().Replace('-', '_');
}

/// <summary>Where a setting's value came from, for error messages.</summary>
public enum SettingOrigin
{
    Default,
    DotEnv,
    DotEnvLocal,
    Environment,
    Argument,
}

public sealed record SettingValue(string Text, SettingOrigin Origin, int Line = 0)
{
    public string Describe(SettingDefinition definition) => Origin switch
    {
        SettingOrigin.Argument => $"argument {definition.Argument}",
        SettingOrigin.Environment => $"environment variable {definition.Key}",
        SettingOrigin.DotEnv => $".env line {Line}",
        SettingOrigin.DotEnvLocal => $".env.local line {Line}",
        _ => "default",
    };
}
