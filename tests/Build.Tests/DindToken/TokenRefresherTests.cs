using System.Diagnostics;
using System.Globalization;
using Build.DindToken;
using Build.State;
using Build.Tests.Docker;

namespace Build.Tests.DindToken;

/// <summary>Up's wait for the refresher's first refresh, against a fake docker and a status.json the test writes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TokenRefresherTests : IDisposable
{
    private const string Host = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private readonly FakeDocker _fake = new();
    private readonly StateLayout _state = new(Directory.CreateTempSubdirectory("token-refresher-").FullName);
    private readonly List<string> _said = [];

    public void Dispose()
    {
        _fake.Dispose();
        Directory.Delete(_state.Root, recursive: true);
    }

    private TokenRefresher Refresher(DateTimeOffset started) =>
        new(_fake.Cli($"echo 'running {started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture)}'"), _state, "p", [Host], "compose logs ecr-token", _said.Add, CancellationToken.None);

    private void WriteStatus(DateTimeOffset at) =>
        File.WriteAllText(_state.DindTokenStatus, Statuses.Json(at, ("ok", Host, at.AddHours(12), "")));

    [Fact]
    public async Task A_status_written_before_the_refresher_started_is_not_taken_for_its_first_refresh()
    {
        // Given a status.json of an earlier refresher (ok), and a refresher that started after it
        Directory.CreateDirectory(_state.DindTokenDocker);
        var started = DateTimeOffset.UtcNow.AddSeconds(-5);
        WriteStatus(started.AddSeconds(-60));

        // When Up waits, and the new refresher writes its first status 1.5 s later
        var clock = Stopwatch.StartNew();
        var wait = Task.Run(() => Refresher(started).WaitForFirstRefresh("c0ffee"));
        await Task.Delay(1500);
        Assert.False(wait.IsCompleted, "Up took the earlier refresher's status for the new one's");
        var fresh = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        WriteStatus(fresh);

        // Then the wait returns the new one, with progress lines while it waited
        var status = await wait;
        Assert.Equal(fresh, status.RefreshedAt);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5));
        Assert.True(_said.Any(l => l.StartsWith("waiting for the first DinD token refresh: running (", StringComparison.Ordinal)), string.Join("\n", _said));
    }

    [Fact]
    public void A_refresher_that_renews_other_registries_is_not_confirmed()
    {
        // Given a first refresh, after the start, of another registry only
        Directory.CreateDirectory(_state.DindTokenDocker);
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        File.WriteAllText(_state.DindTokenStatus, Statuses.Json(now, ("ok", "999999999999.dkr.ecr.eu-west-1.amazonaws.com", now.AddHours(12), "")));

        // When Up waits, then it fails naming both lists
        var error = Assert.Throws<BuildFailure>(() => Refresher(now.AddSeconds(-1)).WaitForFirstRefresh("c0ffee"));
        Assert.Contains($"it renews 999999999999.dkr.ecr.eu-west-1.amazonaws.com, not {Host}", error.Problem);
    }
}
