using System.Diagnostics;
using System.Text;
using Build.Secrets;

namespace Build.Tests.DindToken;

/// <summary>
/// The token refresher's script as the ecr-token service runs it (the host's /bin/sh, a fake helper): what it writes,
/// how it keeps a registry's last good token, that it renews at every interval and retries sooner after a failure, and
/// that no token reaches a log line, status.json or a process's arguments.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RefresherScriptTests : IDisposable
{
    private const string First = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private const string Second = "222222222222.dkr.ecr.us-east-2.amazonaws.com";
    private const string FirstSecret = "lab-token-of-the-first-registry-0123456789";
    private const string SecondSecret = "lab-token-of-the-second-registry-9876543210";

    private readonly RefresherScript _script = new();

    public void Dispose() => _script.Dispose();

    [Fact]
    public async Task One_refresh_writes_an_auths_entry_per_registry_and_a_status_without_any_token()
    {
        // Given a helper that answers for both registries
        _script.Answer(First, FirstSecret);
        _script.Answer(Second, SecondSecret);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // When one refresh runs
        var run = await _script.OnceAsync($"{First},{Second}");

        // Then config.json is docker's own format, one auths entry per registry, private
        Assert.True(run.Succeeded, run.Output + run.Error);
        Assert.Equal("AWS:" + FirstSecret, _script.Auth(First));
        Assert.Equal("AWS:" + SecondSecret, _script.Auth(Second));
        Assert.Equal([First, Second], _script.Config().GetProperty("auths").EnumerateObject().Select(p => p.Name));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_script.ConfigFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_script.StatusFile));

        // And status.json says when, with what result, and each token's expiry (assumed: ECR's 12 hours, the token says none)
        var status = _script.Status();
        Assert.Equal("ok", status.GetProperty("result").GetString());
        Assert.Equal(3600, status.GetProperty("interval_seconds").GetInt64());
        var at = status.GetProperty("refreshed_at").GetInt64();
        Assert.InRange(at, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(at, status.GetProperty("last_success_at").GetInt64());
        foreach (var host in new[] { First, Second })
        {
            var registry = _script.Registry(host);
            Assert.Equal("ok", registry.GetProperty("result").GetString());
            Assert.Equal(at, registry.GetProperty("obtained_at").GetInt64());
            Assert.Equal(at + (12 * 3600), registry.GetProperty("expires_at").GetInt64());
            Assert.Equal("assumed", registry.GetProperty("expiry_from").GetString());
        }

        // And no token is in its output or in status.json, in any spelling
        foreach (var form in SecretForms.Of(FirstSecret).Concat(SecretForms.Of(SecondSecret)))
        {
            Assert.False((run.Output + run.Error).Contains(form, StringComparison.Ordinal), "a token is in the script's output");
            Assert.False(File.ReadAllText(_script.StatusFile).Contains(form, StringComparison.Ordinal), "a token is in status.json");
        }

        Assert.Contains($"refreshed: {First} expires ", run.Output);
        Assert.Equal(["config.json"], Directory.GetFiles(Path.GetDirectoryName(_script.ConfigFile)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task The_files_belong_to_the_owner_of_the_token_folder_whoever_runs_the_service()
    {
        // Given a token folder owned by another user (when this test runs as root, as the service does), else by this user
        _script.Answer(First, FirstSecret);
        var owner = Build.Aws.FileOwner.CurrentUser == 0 ? new Build.Files.FileOwnership(65534, 65534) : Build.Files.FileOwnership.Of(_script.TokenDirectory)!;
        Directory.CreateDirectory(Path.Combine(_script.TokenDirectory, "docker"));
        owner.ApplyTo(_script.TokenDirectory);
        owner.ApplyTo(Path.Combine(_script.TokenDirectory, "docker"));

        // When one refresh runs
        var run = await _script.OnceAsync(First);

        // Then config.json and status.json are that user's (the build, run as that user, can read and remove them)
        Assert.True(run.Succeeded, run.Output + run.Error);
        Assert.Equal(owner, Build.Files.FileOwnership.Of(_script.ConfigFile));
        Assert.Equal(owner, Build.Files.FileOwnership.Of(_script.StatusFile));
    }

    [Fact]
    public async Task A_real_ECR_token_gives_its_own_expiry()
    {
        // Given a token shaped as ECR's: base64 of a JSON envelope that carries its expiration
        var expiration = DateTimeOffset.UtcNow.AddHours(11).AddMinutes(58).ToUnixTimeSeconds();
        var envelope = $"{{\"payload\":\"c2VjcmV0\",\"datakey\":\"a2V5\",\"version\":\"2\",\"type\":\"DATA_KEY\",\"expiration\":{expiration}}}";
        _script.Answer(First, Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope)));

        // When one refresh runs
        var run = await _script.OnceAsync(First);

        // Then its expiry is the token's, and says so
        Assert.True(run.Succeeded, run.Output + run.Error);
        var registry = _script.Registry(First);
        Assert.Equal(expiration, registry.GetProperty("expires_at").GetInt64());
        Assert.Equal("token", registry.GetProperty("expiry_from").GetString());
    }

    [Fact]
    public async Task A_registry_whose_refresh_fails_keeps_its_last_good_token_and_the_cause_is_recorded()
    {
        // Given a first refresh of both registries
        _script.Answer(First, FirstSecret);
        _script.Answer(Second, SecondSecret);
        Assert.True((await _script.OnceAsync($"{First},{Second}")).Succeeded);
        var first = _script.Status();
        var firstExpiry = _script.Registry(Second).GetProperty("expires_at").GetInt64();
        await Task.Delay(1100);

        // When the second registry's refresh fails (a wrong secret: the helper logs InvalidSignatureException)
        _script.Answer(First, FirstSecret + "-renewed");
        _script.Fail(Second, "InvalidSignatureException: The request signature we calculated does not match the signature you provided.");
        var run = await _script.OnceAsync($"{First},{Second}");

        // Then the run fails, the first registry has its new token, the second keeps its last good one
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("AWS:" + FirstSecret + "-renewed", _script.Auth(First));
        Assert.Equal("AWS:" + SecondSecret, _script.Auth(Second));

        // And status.json says failed, names the cause from the helper's log, and keeps the last success and old expiry
        var status = _script.Status();
        Assert.Equal("failed", status.GetProperty("result").GetString());
        Assert.Equal(first.GetProperty("last_success_at").GetInt64(), status.GetProperty("last_success_at").GetInt64());
        Assert.True(status.GetProperty("refreshed_at").GetInt64() > first.GetProperty("refreshed_at").GetInt64());
        var second = _script.Registry(Second);
        Assert.Equal("failed", second.GetProperty("result").GetString());
        Assert.Contains("InvalidSignatureException", second.GetProperty("error").GetString());
        Assert.Equal(firstExpiry, second.GetProperty("expires_at").GetInt64());
        Assert.Equal("ok", _script.Registry(First).GetProperty("result").GetString());
        Assert.Contains($"refresh of {Second} failed: ", run.Output);
        Assert.Contains("InvalidSignatureException", run.Output);
    }

    [Fact]
    public async Task A_registry_that_never_had_a_token_is_left_out_of_config_json()
    {
        // Given a helper that fails for the only registry from the start
        _script.Fail(First, "NoCredentialProviders: no valid providers in chain");

        // When one refresh runs
        var run = await _script.OnceAsync(First);

        // Then config.json has no entry (docker then pulls without credentials) and status.json says why
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(_script.Config().GetProperty("auths").EnumerateObject());
        var registry = _script.Registry(First);
        Assert.Equal(0, registry.GetProperty("expires_at").GetInt64());
        Assert.Contains("NoCredentialProviders", registry.GetProperty("error").GetString());
        Assert.Equal(0, _script.Status().GetProperty("last_success_at").GetInt64());
    }

    [Fact]
    public async Task No_token_reaches_the_arguments_of_any_program_the_script_runs()
    {
        // Given every program the script may run wrapped, logging its arguments before it runs the real one
        var wrappers = Directory.CreateDirectory(Path.Combine(_script.Folder, "wrappers")).FullName;
        var argv = Path.Combine(_script.Folder, "argv.log");
        foreach (var tool in new[] { "tr", "mkdir", "stat", "mktemp", "date", "cut", "sed", "dirname", "basename", "cat", "chown", "mv", "grep", "tail", "rm", "base64", "sleep" })
        {
            var real = new[] { "/usr/bin/", "/bin/" }.Select(d => d + tool).First(File.Exists);
            var wrapper = Path.Combine(wrappers, tool);
            File.WriteAllText(wrapper, $"#!/bin/sh\nprintf '%s\\n' \"{tool} $*\" >> '{argv}'\nexec {real} \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _script.Answer(First, FirstSecret);
        _script.Answer(Second, SecondSecret);

        // When one refresh runs with those first on the PATH
        var run = await _script.OnceAsync($"{First},{Second}", new() { ["PATH"] = wrappers + ":/usr/bin:/bin" });

        // Then they ran (sed, base64 and mv among them), and no argument list held a token in any spelling
        Assert.True(run.Succeeded, run.Output + run.Error);
        var logged = File.ReadAllText(argv);
        Assert.Contains("base64", logged);
        Assert.Contains("mv -f ", logged);
        foreach (var form in SecretForms.Of(FirstSecret).Concat(SecretForms.Of(SecondSecret)))
        {
            Assert.False(logged.Contains(form, StringComparison.Ordinal), "a token was in a program's arguments");
        }
    }

    [Fact]
    public async Task The_service_renews_config_json_at_every_interval_and_stops_on_SIGTERM()
    {
        // Given the refresher running with a 1 s interval
        _script.Answer(First, FirstSecret);
        using var loop = _script.Loop(First, interval: 1);
        var first = await WaitForAsync(() => File.Exists(_script.StatusFile) ? _script.Status().GetProperty("refreshed_at").GetInt64() : (long?)null);
        // Held open, the file in place keeps its inode, which a later file could otherwise be given again.
        using var held = await WaitForAsync(() => (FileStream?)File.OpenRead(_script.ConfigFile));
        var inode = await InodeAsync(_script.ConfigFile);

        // When a new token is issued
        _script.Answer(First, FirstSecret + "-renewed");

        // Then a later refresh writes a new file (a rename: a new inode) holding it, and then a later status
        // (the status follows config.json, so the two are awaited together)
        var renewed = await WaitForAsync(() => File.Exists(_script.ConfigFile) && _script.Auth(First).EndsWith("-renewed", StringComparison.Ordinal)
            ? _script.Status().GetProperty("refreshed_at").GetInt64() is var at && at > first ? at : (long?)null
            : null);
        Assert.True(renewed > first);
        Assert.NotEqual(inode, await InodeAsync(_script.ConfigFile));

        // And SIGTERM (docker stop) ends it at once, with exit code 0
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", loop.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var (code, output, _) = loop.Finish(TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {clock.Elapsed}");
        Assert.Contains("every 1s", output);
    }

    [Fact]
    public async Task After_a_failure_the_service_tries_again_in_seconds_not_at_the_next_interval()
    {
        // Given the refresher with an hour's interval, whose first refresh fails
        _script.Fail(First, "RequestError: send request failed");
        using var loop = _script.Loop(First, interval: 3600);
        await WaitForAsync(() => File.Exists(_script.StatusFile) && _script.Status().GetProperty("result").GetString() == "failed" ? true : (bool?)null);

        // When the cause goes away
        _script.Answer(First, FirstSecret);

        // Then the retry (5 s later) succeeds long before the hour is over
        await WaitForAsync(() => _script.Status().GetProperty("result").GetString() == "ok" ? true : (bool?)null, TimeSpan.FromSeconds(15));
        Assert.Equal("AWS:" + FirstSecret, _script.Auth(First));
        loop.Process.Kill();
    }

    /// <summary>What <paramref name="probe"/> gives once it gives something (null: not yet; a read error: the file is being replaced).</summary>
    private static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(10)))
        {
            try
            {
                if (probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Read while being replaced, or not written yet: look again.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the refresher did not get there in time");
    }

    private static async Task<string> InodeAsync(string path) =>
        (await global::Tests.Shared.ChildProcess.RunAsync("stat", ["-c", "%i", path], CancellationToken.None)).Output.Trim();
}
