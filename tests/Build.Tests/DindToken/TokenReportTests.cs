using Build.DindToken;
using Build.Settings;
using Build.State;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.DindToken;

/// <summary>Status's DinD lines: the mode; in token mode the refresher, its last refresh, each token's expiry and a stale token's cause.</summary>
public sealed class TokenReportTests
{
    private const string First = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private const string Second = "222222222222.dkr.ecr.us-east-2.amazonaws.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 21, 0, 0, TimeSpan.Zero);
    private static readonly StateLayout State = new("/srv/state");

    private static BuildSettings Settings(string mode) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(),
            name => name switch { "DIND_AUTH" => mode, "ECR_REGISTRIES" => $"{First},{Second}", "STATE_DIR" => "/srv/state", _ => null }, null);

    private static TokenStatus Status(string json)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, json);
            return TokenStatus.Read(path)!;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Helper_mode_says_that_jobs_can_read_the_runners_credentials()
    {
        Assert.Equal(["dind auth    DIND_AUTH=helper: jobs run the helper with the runner's credentials (they can read them)"], TokenReport.Lines(Settings("helper"), State, (null, null), null, Now));
    }

    [Fact]
    public void A_fresh_refresh_shows_the_refresher_its_last_refresh_and_each_tokens_expiry()
    {
        var status = Status(Statuses.Json(Now.AddMinutes(-5), ("ok", First, Now.AddHours(11.9), ""), ("ok", Second, Now.AddHours(11.9), "")));

        var lines = TokenReport.Lines(Settings("token"), State, (status, null), "running", Now);

        Assert.Equal(
            [
                "dind auth    DIND_AUTH=token, refresher running; last refresh ok at 2026-11-28 20:55:00 UTC (5 min ago), every 1 h; jobs mount /srv/state/runner/dind-token/docker",
                $"dind token   {First}: expires at 2026-11-29 08:54:00 UTC (in 11.9 h) (assumed: 12 h after it was obtained)",
                $"dind token   {Second}: expires at 2026-11-29 08:54:00 UTC (in 11.9 h) (assumed: 12 h after it was obtained)",
            ],
            lines);
    }

    [Fact]
    public void A_failed_refresh_and_a_stopped_refresher_are_shown_with_the_stale_cause_and_its_fix()
    {
        var status = Status(Statuses.Json(Now.AddMinutes(-5), ("ok", First, Now.AddHours(11.9), ""), ("failed", Second, Now.AddHours(-1), "InvalidSignatureException")));

        var lines = TokenReport.Lines(Settings("token"), State, (status, null), "exited", Now);

        Assert.StartsWith("dind auth    DIND_AUTH=token, refresher exited; last refresh FAILED at 2026-11-28 20:55:00 UTC", lines[0]);
        Assert.Equal($"dind token   {Second}: EXPIRED at 2026-11-28 20:00:00 UTC (1 h ago) (assumed: 12 h after it was obtained); last refresh failed: InvalidSignatureException", lines[2]);
        Assert.StartsWith("dind token   STALE: the DinD token refresher (service ecr-token) is exited, so nothing renews the jobs' config.json", lines[3]);
        Assert.EndsWith("fix: " + TokenFreshness.UpFix, lines[3]);
    }

    [Fact]
    public void No_status_yet_and_docker_not_reachable_are_said_without_a_judgement()
    {
        Assert.Equal(["dind auth    DIND_AUTH=token, refresher not there; no token yet (./build.sh --target=Up starts the refresher)"], TokenReport.Lines(Settings("token"), State, (null, null), null, Now));

        var status = Status(Statuses.Json(Now.AddHours(-5), ("ok", First, Now.AddHours(7), ""), ("ok", Second, Now.AddHours(7), "")));
        var lines = TokenReport.Lines(Settings("token"), State, (status, null), "unknown", Now);
        Assert.StartsWith("dind auth    DIND_AUTH=token, refresher unknown; last refresh ok", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("STALE", StringComparison.Ordinal));
    }
}
