using Build.DindToken;

namespace Build.Tests.DindToken;

/// <summary>
/// Whether the jobs' token is fresh, judged from status.json and the refresher's state as SmokeTest and Status judge
/// it: each stale case names its cause and the fix; a fresh token is not judged at all.
/// </summary>
public sealed class TokenFreshnessTests : IDisposable
{
    private const string Host = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private const string Other = "222222222222.dkr.ecr.us-east-2.amazonaws.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 21, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("token-freshness-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string json)
    {
        var path = Path.Combine(_folder, "status.json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    private BuildFailure? Judge(string json, string? refresher = "running", string host = Host) =>
        TokenFreshness.Judge(TokenStatus.Read(File(json)), Path.Combine(_folder, "status.json"), refresher, host, Now, "compose logs ecr-token");

    [Fact]
    public void A_token_renewed_on_time_by_a_running_refresher_is_fresh()
    {
        Assert.Null(Judge(Statuses.Json(Now.AddMinutes(-30), ("ok", Host, Now.AddHours(11.5), ""))));
    }

    [Theory]
    [InlineData(null, "is not there")]
    [InlineData("exited", "is exited")]
    public void A_refresher_that_does_not_run_is_stale_whatever_the_file_says(string? refresher, string said)
    {
        // Given a token still valid in the file, and no running refresher
        var failure = Judge(Statuses.Json(Now.AddMinutes(-30), ("ok", Host, Now.AddHours(11.5), "")), refresher);

        // Then it is stale: nothing renews it
        Assert.NotNull(failure);
        Assert.Equal($"the DinD token refresher (service ecr-token) {said}, so nothing renews the jobs' config.json; its token for {Host} expires at 2026-11-29 08:30:00 UTC (in 11.5 h)", failure.Problem);
        Assert.Equal(TokenFreshness.UpFix, failure.Fix);
    }

    [Fact]
    public void An_expired_token_is_stale_and_says_when_it_expired()
    {
        var failure = Judge(Statuses.Json(Now.AddHours(-13), TimeSpan.FromHours(1), ("ok", Host, Now.AddHours(-1), "")), "running");

        Assert.NotNull(failure);
        Assert.Equal($"the token for {Host} in the jobs' config.json expired at 2026-11-28 20:00:00 UTC (1 h ago)", failure.Problem);
        Assert.Contains("./build.sh --target=Up", failure.Fix);
    }

    [Fact]
    public void A_failed_last_refresh_is_stale_with_the_AWS_cause_and_its_fix()
    {
        var failure = Judge(Statuses.Json(Now.AddMinutes(-2), ("failed", Host, Now.AddHours(10), "level=error msg=Error retrieving credentials error=InvalidSignatureException")));

        Assert.NotNull(failure);
        Assert.StartsWith($"the last refresh of the DinD token for {Host} failed at 2026-11-28 20:58:00 UTC (2 min ago): level=error", failure.Problem);
        Assert.Contains("jobs keep its last token until it expires at 2026-11-29 07:00:00 UTC (in 10 h)", failure.Problem);
        Assert.StartsWith("wrong secret access key: copy the secret access key again", failure.Fix);
    }

    [Fact]
    public void A_refresher_that_stopped_writing_is_stuck()
    {
        // Given an hourly refresher whose last refresh is 3 hours old (its token still valid)
        var failure = Judge(Statuses.Json(Now.AddHours(-3), ("ok", Host, Now.AddHours(9), "")));

        Assert.NotNull(failure);
        Assert.Equal($"the DinD token refresher last wrote at 2026-11-28 18:00:00 UTC (3 h ago), though it renews every 1 h: it is stuck; its token for {Host} expires at 2026-11-29 06:00:00 UTC (in 9 h)", failure.Problem);
        Assert.StartsWith("read its log (compose logs ecr-token), then run ./build.sh --target=Up", failure.Fix);
    }

    [Fact]
    public void A_registry_the_refresher_does_not_renew_is_named_with_the_ones_it_does()
    {
        var failure = Judge(Statuses.Json(Now.AddMinutes(-1), ("ok", Other, Now.AddHours(12), "")));

        Assert.NotNull(failure);
        Assert.Equal($"the jobs' config.json holds no token for {Host} (the refresher renews {Other})", failure.Problem);
        Assert.StartsWith($"add {Host} to ECR_REGISTRIES", failure.Fix);
    }

    [Fact]
    public void No_status_yet_says_the_refresher_wrote_nothing()
    {
        var failure = TokenFreshness.Judge(null, "/state/runner/dind-token/status.json", "running", Host, Now, "compose logs ecr-token");

        Assert.NotNull(failure);
        Assert.Equal("the DinD token refresher has written no token yet (/state/runner/dind-token/status.json is missing)", failure.Problem);
    }

    [Fact]
    public void A_status_the_refresher_did_not_write_is_refused_as_unreadable()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenStatus.Read(File("{\"auths\": {}}")));

        Assert.Contains("is not a status the token refresher writes", error.Message);
    }
}
