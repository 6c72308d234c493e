using System.Text.Json;
using Build.Aws;
using Build.RunnerConfig;
using Build.Secrets;

namespace Build.Smoke;

/// <summary>
/// Token mode's promise, checked on the job container SmokeTest ran: neither its environment nor any file it mounts
/// holds an AWS key id, secret or session token (searched for by value, in every spelling a tool writes), no AWS
/// credential variable is set, and neither the credentials nor the helper is mounted. It names where, never a value.
/// </summary>
public static class JobExposure
{
    /// <summary>Variables the AWS SDKs and the helper take credentials from.</summary>
    public static readonly IReadOnlySet<string> CredentialVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
        "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    };

    private const int MaximumFiles = 500;
    private const long MaximumBytes = 4 << 20;

    /// <summary>Where the container of <paramref name="inspection"/> (docker inspect's JSON) holds AWS credentials; empty when nowhere.</summary>
    /// <param name="values">The AWS key id, secret and session token to search for.</param>
    public static IReadOnlyList<string> Find(string inspection, IReadOnlyList<Secret> values)
    {
        var forms = values.SelectMany(v => SecretForms.Of(v.Reveal())).Distinct(StringComparer.Ordinal).ToList();
        bool Holds(string text) => forms.Any(f => text.Contains(f, StringComparison.Ordinal));
        var found = new List<string>();
        using var document = JsonDocument.Parse(inspection);
        var container = document.RootElement[0];
        foreach (var variable in container.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString() ?? string.Empty))
        {
            var name = variable.Split('=', 2)[0];
            if (Holds(variable))
            {
                found.Add($"the environment variable {name} holds an AWS value");
            }
            else if (CredentialVariables.Contains(name))
            {
                found.Add($"the environment variable {name} is set");
            }
        }

        foreach (var mount in container.GetProperty("Mounts").EnumerateArray().Where(m => m.GetProperty("Type").GetString() == "bind"))
        {
            var (source, target) = (mount.GetProperty("Source").GetString()!, mount.GetProperty("Destination").GetString()!);
            if (target == RunnerCredentials.CredentialsTarget || target == DockerExecutor.HelperTarget)
            {
                found.Add($"{source} is mounted at {target}");
            }

            found.AddRange(Files(source).Where(file => Holds(Read(file))).Select(file => $"{file} (mounted at {target}) holds an AWS value"));
        }

        return found;
    }

    /// <summary>The files under a bind mount's source on this machine (the daemon's), bounded.</summary>
    private static IEnumerable<string> Files(string source) =>
        File.Exists(source) ? [source]
        : Directory.Exists(source) ? Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }).Take(MaximumFiles)
        : [];

    private static string Read(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            var buffer = new byte[Math.Min(MaximumBytes, stream.Length)];
            stream.ReadExactly(buffer);
            return System.Text.Encoding.UTF8.GetString(buffer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
