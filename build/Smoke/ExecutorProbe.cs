using System.Diagnostics;
using System.Text.Json;
using Build.Aws;
using Build.Docker;
using Build.Secrets;

namespace Build.Smoke;

/// <summary>
/// The executor level: the helper's <c>get</c> run inside the running runner container (docker exec, so with that
/// container's PATH, HOME and environment, as the runner process runs it) for the private image's registry, then
/// a pull of the private image through the host daemon with the credentials it returned on the Engine API call
/// (neither runs where the daemon's endpoint would expose the token: see <see cref="EngineEndpoint.Judged"/>).
/// The only addition to the container's environment is a throwaway AWS_ECR_CACHE_DIR, so that a cached token
/// cannot hide a broken credential and the helper's log can be read; it is deleted afterwards.
/// </summary>
public sealed class ExecutorProbe(DockerCli docker, DockerCli cleanup, Redactor redactor, EnginePull engine)
{
    public const string Level = "executor (image:)";

    /// <param name="level">The row's name: <see cref="Level"/> for the private image, with a suffix for the others.</param>
    /// <param name="via">For a pull-through image: the rule, so that a refused import is explained.</param>
    public async Task<LevelResult> RunAsync(string runnerContainer, EcrRegistry registry, string image, string runId, CancellationToken cancel, string level = Level, PullThroughTranslation? via = null)
    {
        var clock = Stopwatch.StartNew();
        if (engine.Endpoint.Refusal is { } refusal)
        {
            // Checked before the helper runs: docker exec brings its output, the token, back over the same endpoint.
            return LevelResult.Fail(level, clock.Elapsed, $"not run, so that no ECR token is fetched or sent: {refusal.Problem}", refusal.Fix);
        }

        var cache = $"/tmp/gitlab-runner-ecr-smoke-{runId}";
        try
        {
            var get = docker.Exec(new ExecSpec(runnerContainer, [Helper.HelperOutput.BinaryName, "get"])
            {
                Environment = ["AWS_ECR_CACHE_DIR=" + cache],
                StandardInput = new Secret(registry.Host + "\n"),
                SecretOutput = true,
                Timeout = TimeSpan.FromSeconds(60),
            });
            if (get.ExitCode is 126 or 127 || get.StandardError.Contains("executable file not found", StringComparison.Ordinal))
            {
                // The helper never ran, so its output holds docker exec's own error, not a token.
                var said = get.StandardError.Trim().Length > 0 ? get.StandardError : redactor.Redact(get.SecretOutput?.Reveal() ?? string.Empty);
                return LevelResult.Fail(level, clock.Elapsed,
                    $"{Helper.HelperOutput.BinaryName} is not on the runner's PATH (docker exec exited {get.ExitCode}: {FirstLine(said)})",
                    "run ./build.sh --target=Up, which mounts the static helper at /usr/local/bin in the runner container; with a runner of your own, put the helper on the PATH of the gitlab-runner process (not in the job image)");
            }

            if (!get.Succeeded || get.SecretOutput is null || Credentials(get.SecretOutput) is not { } credentials)
            {
                var log = redactor.Redact(cleanup.Exec(new ExecSpec(runnerContainer, ["cat", cache + "/log/ecr-login.log"])).StandardOutput);
                var errors = string.Join('\n', log.Split('\n').Where(l => l.Contains("level=error", StringComparison.Ordinal) || l.Contains("level=warn", StringComparison.Ordinal)));
                var cause = AwsFailure.Recognise(errors + get.StandardError, registry);
                return LevelResult.Fail(level, clock.Elapsed,
                    cause is null ? $"the helper in the runner container gave no credentials for {registry.Host} (exit {get.ExitCode})" : $"{cause.Name} ({Sign(cause, errors)}) for {registry.Host}",
                    cause?.Fix ?? "read the helper's log lines below; check the runner's credentials (RUNNER_CREDENTIALS_FILE, CREDENTIALS_SOURCE) and run ./build.sh --target=Preflight",
                    errors.Length > 0 ? errors : "the helper logged no error");
            }

            redactor.Add(credentials.Secret, "the ECR token of " + registry.Host);
            var failure = await engine.PullAsync(image, registry.Host, credentials.Username, credentials.Secret, TimeSpan.FromMinutes(5), cancel);
            var known = failure is not null && via is not null ? ManifestProbe.Recognise(failure.Cause, via) : null;
            return failure is null
                ? LevelResult.Pass(level, clock.Elapsed, $"helper in the runner container, pull of {image} through the host daemon at {engine.Endpoint.Describe()}")
                : LevelResult.Fail(level, clock.Elapsed, $"the helper gave a token for {registry.Host}, but {redactor.Redact(known?.Cause is { } why ? $"{why} ({failure.Cause})" : failure.Cause)}", known?.Fix ?? failure.Fix);
        }
        finally
        {
            cleanup.Exec(new ExecSpec(runnerContainer, ["rm", "-rf", cache]));
        }
    }

    private static (string Username, Secret Secret)? Credentials(Secret output)
    {
        try
        {
            using var json = JsonDocument.Parse(output.Reveal());
            return json.RootElement.TryGetProperty("Username", out var user) && json.RootElement.TryGetProperty("Secret", out var secret) && secret.GetString() is { Length: > 0 } value
                ? (user.GetString() ?? "AWS", new Secret(value))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The sign of <paramref name="cause"/> the text holds (InvalidSignatureException, say), so the summary names it;
    /// for a denial, with the IAM action AWS named ("AccessDenied: sts:GetServiceBearerToken").
    /// </summary>
    public static string Sign(AwsFailure cause, string text)
    {
        var sign = cause.Signs.FirstOrDefault(s => text.Contains(s, StringComparison.OrdinalIgnoreCase)) ?? cause.Signs[0];
        return System.Text.RegularExpressions.Regex.Match(text, @"not authorized to perform: ([a-z0-9-]+:[A-Za-z]+)") is { Success: true } action
            ? $"{sign}: {action.Groups[1].Value}"
            : sign;
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
