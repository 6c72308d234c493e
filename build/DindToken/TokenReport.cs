using Build.Settings;

namespace Build.DindToken;

/// <summary>Status's lines about the DinD level: the mode, and in token mode the refresher, its last refresh and each token.</summary>
public static class TokenReport
{
    /// <param name="read">status.json as read (null: none), or why it could not be read.</param>
    /// <param name="refresher">The refresher container's state; null when there is none; <c>unknown</c> when Docker is not reachable.</param>
    public static IReadOnlyList<string> Lines(BuildSettings settings, State.StateLayout state, (TokenStatus? Status, string? Error) read, string? refresher, DateTimeOffset now)
    {
        if (settings.Runner.DindAuth == DindAuth.Helper)
        {
            return ["dind auth    DIND_AUTH=helper: jobs run the helper with the runner's credentials (they can read them)"];
        }

        var (status, error) = read;
        var head = $"dind auth    DIND_AUTH=token, refresher {refresher ?? "not there"}";
        if (error is not null)
        {
            return [$"{head}; {state.DindTokenStatus} unreadable: {error}"];
        }

        if (status is null)
        {
            return [$"{head}; no token yet (./build.sh --target=Up starts the refresher)"];
        }

        var lines = new List<string>
        {
            $"{head}; last refresh {(status.Succeeded ? "ok" : "FAILED")} {TokenFreshness.When(status.RefreshedAt, now)}, every {TokenFreshness.Span(status.Interval)}; jobs mount {state.DindTokenDocker}",
        };
        foreach (var registry in status.Registries)
        {
            var expiry = registry.ExpiresAt is { } at
                ? $"{(at <= now ? "EXPIRED" : "expires")} {TokenFreshness.When(at, now)} ({(registry.ExpiryFromToken ? "read from the token" : "assumed: 12 h after it was obtained")})"
                : "no token";
            lines.Add($"dind token   {registry.Host}: {expiry}{(registry.Succeeded ? string.Empty : $"; last refresh failed: {registry.Error}")}");
        }

        if (refresher != "unknown")
        {
            // The judgement SmokeTest makes before it pulls, for the first registry that is stale.
            foreach (var host in settings.Aws.Registries.Select(r => r.Host))
            {
                if (TokenFreshness.Judge(status, state.DindTokenStatus, refresher, host, now, $"{state.ComposeScript} logs ecr-token") is { } stale)
                {
                    lines.Add($"dind token   STALE: {stale.Problem}; fix: {stale.Fix}");
                    break;
                }
            }
        }

        return lines;
    }
}
