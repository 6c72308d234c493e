using System.Diagnostics;
using Build.Docker;
using Build.State;

namespace Build.DindToken;

/// <summary>
/// Up's side of the token refresher (the ecr-token service): in token mode, waits until the container runs and has
/// written, after it started, a token for every registry; in helper mode, removes a refresher left from token mode
/// and the tokens it wrote. A failed first refresh stops Up at once with its cause (the service keeps retrying).
/// </summary>
/// <param name="logs">How to read the refresher's log by hand (the compose script's <c>logs ecr-token</c>).</param>
public sealed class TokenRefresher(DockerCli docker, StateLayout state, string project, IReadOnlyList<string> registries, string logs, Action<string> info, CancellationToken cancellation)
{
    public const string Role = "ecr-token";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The labels of the refresher's container.</summary>
    public IReadOnlyList<string> Labels => ProjectLabels.Of(project, Role);

    /// <summary>Waits for the first refresh of the container <paramref name="container"/>; returns what it wrote.</summary>
    public TokenStatus WaitForFirstRefresh(string container)
    {
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var (status, started) = docker.ContainerStarted(container);
            if (status is "exited" or "dead" or "missing")
            {
                throw Failure($"the DinD token refresher (service ecr-token) is {status} after {clock.Elapsed.TotalSeconds:0} s", container);
            }

            if (status == "running" && started is { } since && Written() is { } written && written.RefreshedAt >= DateTimeOffset.FromUnixTimeSeconds(since.ToUnixTimeSeconds()))
            {
                if (written.Succeeded && written.Covers(registries))
                {
                    return written;
                }

                var errors = written.Succeeded ? $"it renews {string.Join(", ", written.Registries.Select(r => r.Host))}, not {string.Join(", ", registries)}" : written.Errors;
                throw new BuildFailure(
                    $"the DinD token refresher's first refresh failed (it retries on its own):\n{errors}",
                    TokenFreshness.FixFor(errors, logs));
            }

            if (clock.Elapsed > Timeout)
            {
                throw Failure($"the DinD token refresher wrote no token within {Timeout.TotalSeconds:0} s (container {status})", container);
            }

            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(1))
            {
                reported = clock.Elapsed;
                info($"waiting for the first DinD token refresh: {status} ({clock.Elapsed.TotalSeconds:0} s)");
            }

            Thread.Sleep(250);
        }
    }

    /// <summary>Helper mode: removes a refresher container of this project and the tokens it wrote (jobs no longer mount them).</summary>
    public void RemoveLeftovers()
    {
        var containers = docker.ContainerIds(Labels);
        if (containers.Count > 0)
        {
            var removed = docker.Remove(containers);
            if (!removed.Succeeded)
            {
                throw new BuildFailure($"the DinD token refresher of DIND_AUTH=token could not be removed: {removed.StandardError.Trim()}", $"remove it by hand (docker rm -f {string.Join(' ', containers.Select(c => c[..Math.Min(12, c.Length)]))}), then run Up again");
            }

            info($"DIND_AUTH=helper: removed the DinD token refresher {string.Join(", ", containers.Select(c => c[..Math.Min(12, c.Length)]))}");
        }

        foreach (var file in new[] { state.DindTokenConfig, state.DindTokenStatus }.Where(File.Exists))
        {
            File.Delete(file);
            info($"DIND_AUTH=helper: removed {file}");
        }
    }

    /// <summary>What Up prints once the refresher is confirmed.</summary>
    public IEnumerable<string> Report(string container, TokenStatus status, TimeSpan interval)
    {
        yield return $"DinD tokens: refresher {container[..Math.Min(12, container.Length)]} renews {state.DindTokenConfig} every {TokenFreshness.Span(interval)} (jobs mount {state.DindTokenDocker} read-only)";
        foreach (var registry in status.Registries)
        {
            yield return $"DinD token for {registry.Host}: expires {TokenFreshness.When(registry.ExpiresAt!.Value, DateTimeOffset.UtcNow)}{(registry.ExpiryFromToken ? string.Empty : ", assumed: ECR's 12 hours after it was obtained")}";
        }
    }

    private TokenStatus? Written()
    {
        try
        {
            return TokenStatus.Read(state.DindTokenStatus);
        }
        catch (InvalidDataException)
        {
            // Being replaced, or left by another version: the next look decides.
            return null;
        }
    }

    private BuildFailure Failure(string problem, string container)
    {
        var result = docker.Logs(container, 20);
        var lines = (result.StandardOutput + result.StandardError).Trim();
        return new BuildFailure(
            problem + (lines.Length == 0 ? string.Empty : "; its last log lines:\n" + lines),
            $"read {logs}; check GITLAB_RUNNER_IMAGE (it needs /bin/sh, sed, base64) and the runner's credentials (./build.sh --target=Preflight), then run Up again");
    }
}
