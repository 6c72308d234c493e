using System.Text.Json;
using Build.Processes;
using Build.Secrets;

namespace Build.Aws;

/// <summary>What the helper's <c>get</c> gave for one registry: a token (kept as a secret for the run's own registry calls, and its expiry) or the cause in its log.</summary>
public sealed record HelperOutcome(EcrRegistry Registry, bool Succeeded, DateTimeOffset? ExpiresAt, string? Error, AwsFailure? Cause, string? LogCopy)
{
    /// <summary>The registry password the helper returned (masked by the redactor from the moment it was read).</summary>
    public Secret? Token { get; init; }
}

/// <summary>
/// Runs <c>docker-credential-ecr-login get</c> on the host with exactly the variables and files the runner container
/// gets (<see cref="RunnerCredentials"/>), plus a throwaway cache folder. The registry goes in on standard input, the
/// token comes back only as a secret and is registered with the redactor (Preflight's pull-through probe uses it, then
/// it is dropped with the outcome); a failure's cause is read from the helper's log (it reports every failure as
/// "credentials not found").
/// </summary>
public sealed class HelperProbe(CommandRunner commands, Redactor redactor, string helper, RunnerCredentials credentials, Func<string> logFolder)
{
    public HelperOutcome Get(EcrRegistry registry)
    {
        var cache = Directory.CreateTempSubdirectory("ecr-preflight-").FullName;
        try
        {
            CommandResult result;
            try
            {
                result = Run(registry, cache);
            }
            catch (IOException ex)
            {
                // It exited before reading the registry from standard input (a crash at start-up, say).
                var early = redactor.Redact(ReadLog(cache));
                return new HelperOutcome(registry, false, null, $"it exited before reading the registry from its standard input ({ex.Message}); its log: {(early.Length > 0 ? early : "(empty)")}", AwsFailure.Recognise(early, registry), Copy(registry, early));
            }

            if (result.Succeeded && result.SecretOutput is { } output && TokenOf(output) is { } token)
            {
                redactor.Add(token, "the ECR token of " + registry.Host);
                return new HelperOutcome(registry, true, ExpiryIn(cache), null, null, null) { Token = token };
            }

            var log = redactor.Redact(ReadLog(cache));
            var errors = ErrorLines(log);
            var copy = Copy(registry, log);
            var said = result.Succeeded ? "printed no credentials" : $"exited {result.ExitCode}";
            return new HelperOutcome(registry, false, null, errors.Length > 0 ? $"{said}; its log: {errors}" : $"{said} and logged no error", AwsFailure.Recognise(errors + result.StandardError, registry), copy);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private CommandResult Run(EcrRegistry registry, string cache)
    {
        var environment = new Dictionary<string, string>(credentials.HostEnvironment(), StringComparer.Ordinal)
        {
            ["AWS_ECR_CACHE_DIR"] = Path.Combine(cache, ".ecr"),
            ["HOME"] = cache,
        };
        return commands.Run(helper, Arguments.Of("get"), new CommandOptions
        {
            Timeout = TimeSpan.FromSeconds(60),
            Environment = environment,
            SecretEnvironment = credentials.Runner.SecretEnvironment,
            RemoveEnvironment = RunnerCredentials.ForeignAwsVariables,
            StandardInput = new Secret(registry.Host + "\n"),
            SecretOutput = true,
        });
    }

    /// <summary>The error and warning lines of the helper's log: where it says why a <c>get</c> answered "credentials not found".</summary>
    public static string ErrorLines(string log) =>
        string.Join('\n', log.Split('\n').Where(l => l.Contains("level=error", StringComparison.Ordinal) || l.Contains("level=warn", StringComparison.Ordinal)));

    /// <summary>The <c>Secret</c> of the helper's <c>{"ServerURL","Username","Secret"}</c>, or null.</summary>
    private static Secret? TokenOf(Secret output)
    {
        try
        {
            using var json = JsonDocument.Parse(output.Reveal());
            return json.RootElement.TryGetProperty("Secret", out var secret) && secret.GetString() is { Length: > 0 } value ? new Secret(value) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The token's expiry, from the helper's cache entry (read for ExpiresAt only, then the folder is deleted).</summary>
    private static DateTimeOffset? ExpiryIn(string cache)
    {
        var path = Path.Combine(cache, ".ecr", "cache.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.GetProperty("Registries").EnumerateObject()
                .Select(r => r.Value.TryGetProperty("ExpiresAt", out var at) && at.TryGetDateTimeOffset(out var time) ? time : (DateTimeOffset?)null)
                .FirstOrDefault(t => t is not null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string ReadLog(string cache)
    {
        var path = Path.Combine(cache, ".ecr", "log", "ecr-login.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    private string? Copy(EcrRegistry registry, string log)
    {
        if (log.Length == 0)
        {
            return null;
        }

        // The folder is named (and STATE_DIR claimed) only when there is a log to keep.
        var folder = logFolder();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"ecr-login-{registry.Host}.log");
        Settings.EnvLocalFile.WriteAtomically(path, log);
        return path;
    }
}
