namespace Build.Aws;

/// <summary>Where StageCredentials creates the credentials file when none is configured: outside any repository, in the user's config folder.</summary>
public static class CredentialsFileLocation
{
    public const string Describe = "$XDG_CONFIG_HOME/gitlab-runner-ecr/credentials, else ~/.config/gitlab-runner-ecr/credentials";

    /// <summary>RUNNER_CREDENTIALS_FILE when it exists, else the default location (where StageCredentials creates and records one).</summary>
    public static string Resolve(string? configured, Func<string, string?> environment) =>
        configured is not null && File.Exists(configured) ? configured : Default(environment);

    public static string Default(Func<string, string?> environment)
    {
        var config = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "gitlab-runner-ecr", "credentials");
    }
}
