using System.Text.Json;
using Build.Docker;
using Build.Processes;
using Build.Secrets;

namespace Build.Aws;

/// <summary>What a helper's <c>get</c> in a container gave: the credentials, or how it failed (its log's error lines).</summary>
/// <param name="NotRun">The helper never ran (not on the container's PATH, or it cannot be executed there).</param>
public sealed record ContainerGetResult(int ExitCode, string StandardError, bool NotRun, string? NotRunMessage, string? Username, Secret? Token, string LogErrors)
{
    public bool Succeeded => Token is not null;

    public override string ToString() => $"ContainerGetResult {{ ExitCode = {ExitCode}, Token = {(Token is null ? "none" : Secret.Mask)} }}";
}

/// <summary>
/// The helper's <c>get</c> run inside a container by <c>docker exec</c> (so with that container's PATH, HOME, user and
/// environment, as a runner process there runs it), with a throwaway AWS_ECR_CACHE_DIR: a cached token cannot hide a
/// broken credential, the helper's log can be read, and the container's own cache is never touched. The token is
/// registered with the redactor before anything else happens; the cache folder is removed afterwards, also on Ctrl-C.
/// </summary>
public sealed class ContainerHelperGet(DockerCli docker, Redactor redactor)
{
    private readonly DockerCli _cleanup = docker.WithoutCancellation();

    public ContainerGetResult Get(string container, string helper, string host, string cacheDir)
    {
        try
        {
            var get = docker.Exec(new ExecSpec(container, [helper, "get"])
            {
                Environment = ["AWS_ECR_CACHE_DIR=" + cacheDir],
                StandardInput = new Secret(host + "\n"),
                SecretOutput = true,
                Timeout = TimeSpan.FromSeconds(60),
            });
            if (get.ExitCode is 126 or 127 || get.StandardError.Contains("executable file not found", StringComparison.Ordinal))
            {
                // The helper never ran, so its output holds docker exec's own error, not a token.
                var said = get.StandardError.Trim().Length > 0 ? get.StandardError : redactor.Redact(get.SecretOutput?.Reveal() ?? string.Empty);
                return new ContainerGetResult(get.ExitCode, get.StandardError, true, said, null, null, string.Empty);
            }

            if (get.Succeeded && get.SecretOutput is { } output && Credentials(output) is { } credentials)
            {
                redactor.Add(credentials.Token, "the ECR token of " + host);
                return new ContainerGetResult(get.ExitCode, get.StandardError, false, null, credentials.Username, credentials.Token, string.Empty);
            }

            var log = redactor.Redact(_cleanup.Exec(new ExecSpec(container, ["cat", cacheDir + "/log/ecr-login.log"])).StandardOutput);
            return new ContainerGetResult(get.ExitCode, get.StandardError, false, null, null, null, HelperProbe.ErrorLines(log));
        }
        finally
        {
            _cleanup.Exec(new ExecSpec(container, ["rm", "-rf", cacheDir]));
        }
    }

    /// <summary>Username and Secret of the helper's JSON answer, or null.</summary>
    private static (string Username, Secret Token)? Credentials(Secret output)
    {
        try
        {
            using var json = JsonDocument.Parse(output.Reveal());
            return json.RootElement.TryGetProperty("Secret", out var secret) && secret.GetString() is { Length: > 0 } value
                ? (json.RootElement.TryGetProperty("Username", out var user) ? user.GetString() ?? "AWS" : "AWS", new Secret(value))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
