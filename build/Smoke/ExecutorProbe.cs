using System.Diagnostics;
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
/// <param name="daemon">The daemon the pull goes to, for the summary; null: the host daemon at the endpoint.</param>
public sealed class ExecutorProbe(DockerCli docker, Redactor redactor, EnginePull engine, string? daemon = null)
{
    public const string Level = "executor (image:)";

    private string Daemon => daemon ?? $"the host daemon at {engine.Endpoint.Describe()}";

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

        var get = new ContainerHelperGet(docker, redactor).Get(runnerContainer, Helper.HelperOutput.BinaryName, registry.Host, $"/tmp/gitlab-runner-ecr-smoke-{runId}");
        if (get.NotRun)
        {
            return LevelResult.Fail(level, clock.Elapsed,
                $"{Helper.HelperOutput.BinaryName} is not on the runner's PATH (docker exec exited {get.ExitCode}: {FirstLine(get.NotRunMessage ?? string.Empty)})",
                "run ./build.sh --target=Up, which mounts the static helper at /usr/local/bin in the runner container; with a runner of your own, put the helper on the PATH of the gitlab-runner process (not in the job image)");
        }

        if (get.Token is not { } token)
        {
            var errors = get.LogErrors;
            var cause = AwsFailure.Recognise(errors + get.StandardError, registry);
            return LevelResult.Fail(level, clock.Elapsed,
                cause is null ? $"the helper in the runner container gave no credentials for {registry.Host} (exit {get.ExitCode})" : $"{cause.Name} ({Sign(cause, errors)}) for {registry.Host}",
                cause?.Fix ?? "read the helper's log lines below; check the runner's credentials (RUNNER_CREDENTIALS_FILE, CREDENTIALS_SOURCE) and run ./build.sh --target=Preflight",
                errors.Length > 0 ? errors : "the helper logged no error");
        }

        var failure = await engine.PullAsync(image, registry.Host, get.Username!, token, TimeSpan.FromMinutes(5), cancel);
        var known = failure is not null && via is not null ? ManifestProbe.Recognise(failure.Cause, via) : null;
        return failure is null
            ? LevelResult.Pass(level, clock.Elapsed, $"helper in the runner container, pull of {image} through {Daemon}")
            : LevelResult.Fail(level, clock.Elapsed, $"the helper gave a token for {registry.Host}, but {redactor.Redact(known?.Cause is { } why ? $"{why} ({failure.Cause})" : failure.Cause)}", known?.Fix ?? failure.Fix);
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
