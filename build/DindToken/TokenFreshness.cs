using System.Globalization;

namespace Build.DindToken;

/// <summary>
/// Whether the token DinD jobs read now is one the refresher keeps renewing: the refresher runs, it wrote a token for
/// the registry, that token has not expired, its last refresh succeeded and was not overdue. SmokeTest asks before it
/// pulls (a stale config.json fails with the cause, not with docker's "no basic auth credentials"), Status to show it.
/// </summary>
public static class TokenFreshness
{
    /// <summary>How late a refresh may be before the refresher counts as stuck (a failing one writes every 5 min at most).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    public const string UpFix = "run ./build.sh --target=Up: it starts the token refresher (the ecr-token service) and waits until it has written a token for every registry";

    /// <summary>Null when the token for <paramref name="host"/> is fresh; otherwise what is wrong and the fix.</summary>
    /// <param name="refresher">The refresher container's state (<c>running</c>, <c>exited</c>, ...); null when there is none.</param>
    /// <param name="logs">How to read the refresher's log, for the fix.</param>
    public static BuildFailure? Judge(TokenStatus? status, string statusFile, string? refresher, string host, DateTimeOffset now, string logs)
    {
        var token = status?.Of(host);
        var expiry = token?.ExpiresAt is { } at ? (at <= now ? $"; its token for {host} expired {When(at, now)}" : $"; its token for {host} expires {When(at, now)}") : string.Empty;
        if (refresher != "running")
        {
            return new BuildFailure($"the DinD token refresher (service ecr-token) is {(refresher is null ? "not there" : refresher)}, so nothing renews the jobs' config.json{expiry}", UpFix);
        }

        if (status is null)
        {
            return new BuildFailure($"the DinD token refresher has written no token yet ({statusFile} is missing)", $"{UpFix}; if it does not, read its log ({logs})");
        }

        if (token?.ExpiresAt is not { } expires)
        {
            return new BuildFailure(
                $"the jobs' config.json holds no token for {host}{(token is null ? $" (the refresher renews {string.Join(", ", status.Registries.Select(r => r.Host))})" : $": {token.Error}")}",
                token is null ? $"add {host} to ECR_REGISTRIES, then {UpFix}" : FixFor(token.Error, logs));
        }

        if (expires <= now)
        {
            return new BuildFailure($"the token for {host} in the jobs' config.json expired {When(expires, now)}{(token.Succeeded ? string.Empty : $"; its last refresh failed: {token.Error}")}", token.Succeeded ? UpFix : FixFor(token.Error, logs));
        }

        if (!token.Succeeded)
        {
            return new BuildFailure($"the last refresh of the DinD token for {host} failed {When(status.RefreshedAt, now)}: {token.Error}; jobs keep its last token until it expires {When(expires, now)}", FixFor(token.Error, logs));
        }

        if (now - status.RefreshedAt > status.Interval + Grace)
        {
            return new BuildFailure($"the DinD token refresher last wrote {When(status.RefreshedAt, now)}, though it renews every {Span(status.Interval)}: it is stuck{expiry}", $"read its log ({logs}), then {UpFix}");
        }

        return null;
    }

    /// <summary>The fix for a refresh error: the known AWS cause's, else the refresher's log.</summary>
    public static string FixFor(string error, string logs) =>
        Aws.AwsFailure.Recognise(error) is { } cause
            ? $"{cause.Name}: {cause.Fix}; the refresher retries on its own, and ./build.sh --target=Up waits for its next token"
            : $"read the refresher's log ({logs}); check the runner's credentials with ./build.sh --target=Preflight, then {UpFix}";

    /// <summary>A time with how far it is from <paramref name="now"/>: <c>at 2026-11-28 21:04 UTC (in 11.8 h)</c>.</summary>
    public static string When(DateTimeOffset at, DateTimeOffset now)
    {
        var distance = at - now;
        var relative = distance >= TimeSpan.Zero ? $"in {Span(distance)}" : $"{Span(-distance)} ago";
        return $"at {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({relative})";
    }

    public static string Span(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } => $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h",
        { TotalMinutes: >= 1 } => $"{span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min",
        _ => $"{span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s",
    };
}
