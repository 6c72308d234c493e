using System.Text.Json;
using Build.Docker;
using Build.GitLab;
using Build.Settings;

namespace Build.Server;

/// <summary>
/// Waits for the local GitLab (server mode): its container running, then its health (the image's HEALTHCHECK, when it
/// has one), then an HTTP answer from this machine on the loopback URL; with a progress line when the phase changes and
/// every 10 s. After GITLAB_SERVER_TIMEOUT it fails with the tails of the health log and the container's log.
/// </summary>
/// <param name="composeProject">COMPOSE_PROJECT_NAME: the gitlab container is found by Compose's labels.</param>
/// <param name="composeScript">The by-hand compose script the messages point at.</param>
public sealed class ServerReadiness(ServerSettings server, string composeProject, DockerCli docker, string composeScript, Action<string> info, CancellationToken cancellation)
{
    public const string Service = "gitlab";

    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the HTTP check asks for. Not <c>/-/readiness</c>: GitLab answers it only to monitoring_whitelist addresses
    /// (127.0.0.0/8), and a request through Docker's port publishing arrives from the bridge's gateway (404). The version
    /// endpoint needs a token, so a JSON 401 means Rails and the API answer (Workhorse gives 502 while Puma boots).
    /// </summary>
    public static Uri Probe(Uri gitLab) => new(gitLab, "api/v4/version");

    /// <summary>The id of the ready GitLab container; a <see cref="BuildFailure"/> when it stops or is not ready in time.</summary>
    public string Wait()
    {
        var probe = Probe(EffectiveGitLab.LocalUrl(server));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        var lastPhase = string.Empty;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var id = Container();
            var (status, health) = id is null ? ("missing", "none") : docker.ContainerHealth(id);
            string phase;
            if (status is "exited" or "dead")
            {
                throw Failure(id!, $"the GitLab container is {status} after {clock.Elapsed.TotalSeconds:0} s", $"read the log above and {composeScript} logs gitlab; check GITLAB_SERVER_IMAGE and free memory (GitLab needs about 4 GB), then run ./build.sh --target=Up --server again (it starts the container again)");
            }
            else if (status != "running")
            {
                phase = id is null ? "no gitlab container yet" : $"container {status}";
            }
            else if (health is "starting" or "unhealthy")
            {
                phase = $"container health {health}";
            }
            else if (Answer(http, probe) is { } answer)
            {
                phase = $"container {(health == "none" ? "running (no healthcheck)" : "healthy")}, {probe.AbsolutePath} {answer}";
            }
            else
            {
                info($"local GitLab ready after {clock.Elapsed.TotalSeconds:0} s: {probe.GetLeftPart(UriPartial.Authority)} answers ({probe.AbsolutePath}), container {(health == "none" ? "running" : "healthy")}");
                return id!;
            }

            if (clock.Elapsed > server.Timeout)
            {
                throw Failure(
                    id,
                    $"the local GitLab is not ready after {server.Timeout.TotalSeconds:0} s (GITLAB_SERVER_TIMEOUT): {phase}",
                    $"a first start of GitLab takes several minutes (more on a small machine; it needs about 4 GB of memory): raise GITLAB_SERVER_TIMEOUT (now {server.Timeout.TotalSeconds:0}) and run Up again, which waits for the same container; follow it with {composeScript} logs -f gitlab");
            }

            if (phase != lastPhase || clock.Elapsed - reported >= ReportEvery)
            {
                lastPhase = phase;
                reported = clock.Elapsed;
                info($"waiting for the local GitLab: {phase} ({clock.Elapsed.TotalSeconds:0} s of {server.Timeout.TotalSeconds:0} s)");
            }

            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The compose project's gitlab container (any state), by Compose's labels; null when there is none.</summary>
    public string? Container() =>
        docker.ContainerIds(["com.docker.compose.project=" + composeProject, "com.docker.compose.service=" + Service]).FirstOrDefault();

    /// <summary>Null when GitLab answers (a JSON 200 or 401); else what it did.</summary>
    private string? Answer(HttpClient http, Uri probe)
    {
        try
        {
            using var response = http.GetAsync(probe, cancellation).GetAwaiter().GetResult();
            var code = (int)response.StatusCode;
            return code is 200 or 401 && response.Content.Headers.ContentType?.MediaType == "application/json" ? null : $"answered {code}";
        }
        catch (HttpRequestException ex)
        {
            return $"not answering ({ex.Message})";
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return "no answer in 10 s";
        }
    }

    private BuildFailure Failure(string? id, string problem, string fix)
    {
        var text = new System.Text.StringBuilder(problem);
        if (id is not null)
        {
            if (HealthLog(id) is { Length: > 0 } health)
            {
                text.Append("\nlast health checks (docker inspect .State.Health.Log):\n").Append(health);
            }

            var logs = docker.Logs(id, 20);
            var lines = string.Join('\n', (logs.StandardOutput + "\n" + logs.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(20));
            if (lines.Length > 0)
            {
                text.Append("\nlast lines of its log (docker logs):\n").Append(lines);
            }
        }

        return new BuildFailure(text.ToString(), fix);
    }

    /// <summary>The last health checks, one line each (exit code and output), from the redacted docker output.</summary>
    private string HealthLog(string id)
    {
        var json = docker.HealthJson(id);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("Log", out var log))
            {
                return string.Empty;
            }

            return string.Join('\n', log.EnumerateArray().TakeLast(5).Select(entry =>
                $"  exit {entry.GetProperty("ExitCode").GetInt32()}: {entry.GetProperty("Output").GetString()?.Trim().ReplaceLineEndings(" | ")}"));
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
