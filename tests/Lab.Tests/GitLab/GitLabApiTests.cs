using System.Diagnostics;
using System.Net;
using Build.GitLab;
using Build.Secrets;

namespace Lab.GitLab;

/// <summary>The build's GitLab client against the emulator on loopback: answers, retries with backoff, what is never retried.</summary>
public sealed class GitLabApiTests : IAsyncLifetime
{
    private static readonly GitLabApiOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(5) };
    private GitLabEmulator _gitlab = null!;

    public async Task InitializeAsync() => _gitlab = await GitLabEmulator.StartNewAsync();

    public async Task DisposeAsync() => await _gitlab.DisposeAsync();

    private GitLabApi Api(GitLabApiOptions? options = null) => new(_gitlab.Url, new Redactor(), options ?? Fast);

    [Fact]
    public async Task Verify_knows_a_UI_runner_and_records_the_system_id_and_refuses_an_unknown_token()
    {
        var runner = _gitlab.AddRunner();
        using var api = Api();

        var known = await api.VerifyAsync(new Secret(runner.Token), "s_0123456789ab", default);
        var unknown = await api.VerifyAsync(new Secret("glrt-" + new string('x', 20)), null, default);

        Assert.Equal(runner.Id, known!.Id);
        Assert.Equal(["s_0123456789ab"], runner.SystemIds);
        Assert.Null(unknown);
        Assert.Equal(2, _gitlab.Calls.Count("POST", "/api/v4/runners/verify"));
    }

    [Fact]
    public async Task Five_hundreds_are_retried_with_backoff_and_then_succeed()
    {
        var runner = _gitlab.AddRunner();
        _gitlab.Fail(2, HttpStatusCode.ServiceUnavailable);
        using var api = Api();

        var verified = await api.VerifyAsync(new Secret(runner.Token), null, default);

        Assert.Equal(runner.Id, verified!.Id);
        Assert.Equal([503, 503, 200], _gitlab.Calls.Snapshot().Select(c => c.Status));
    }

    [Fact]
    public async Task Too_many_requests_waits_for_Retry_After()
    {
        var runner = _gitlab.AddRunner();
        _gitlab.Fail(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1));
        using var api = Api();
        var clock = Stopwatch.StartNew();

        await api.VerifyAsync(new Secret(runner.Token), null, default);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}, before Retry-After");
        Assert.Equal([429, 200], _gitlab.Calls.Snapshot().Select(c => c.Status));
    }

    [Fact]
    public async Task A_Retry_After_beyond_MaxRetryAfter_is_cut_to_the_cap()
    {
        // Given GitLab asking once for an hour's pause, and a cap of 200 ms
        var runner = _gitlab.AddRunner();
        _gitlab.Fail(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromHours(1));
        using var api = Api(Fast with { MaxRetryAfter = TimeSpan.FromMilliseconds(200) });
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();

        // When a call is made (given up after 5 s, so a wait of the hour fails the test instead of hanging it)
        var verified = await api.VerifyAsync(new Secret(runner.Token), null, limit.Token);

        // Then it was retried after about the cap, and succeeded
        Assert.Equal(runner.Id, verified!.Id);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(180), TimeSpan.FromSeconds(3));
        Assert.Equal([429, 200], _gitlab.Calls.Snapshot().Select(c => c.Status));
    }

    [Theory]
    [InlineData(CreationFault.ErrorAfter)]
    [InlineData(CreationFault.DropAfter)]
    [InlineData(CreationFault.ErrorBefore)]
    public async Task A_creating_call_is_not_repeated_when_GitLab_may_have_acted_on_it(CreationFault fault)
    {
        // Given GitLab failing POST /user/runners with a 500 or a dropped connection (after making the runner, or not)
        var project = _gitlab.AddProject("group/app");
        var personal = _gitlab.AddPersonalToken("create_runner");
        _gitlab.FailCreation("POST", "/api/v4/user/runners", fault);
        using var api = Api();

        // When the runner is created
        var error = await Assert.ThrowsAsync<GitLabException>(() => api.CreateProjectRunnerAsync(new Secret(personal), project.Id, new RunnerRequest("x", [], true), default));

        // Then the call was made once, and the failure says GitLab may have acted on it
        Assert.True(error.Ambiguous);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/user/runners"));
        Assert.Equal(fault == CreationFault.ErrorBefore ? 0 : 1, _gitlab.Runners.Count);
        Assert.DoesNotContain(personal, error.Message);
    }

    [Fact]
    public async Task A_creating_call_refused_with_429_is_retried_since_GitLab_did_nothing()
    {
        var project = _gitlab.AddProject("group/app");
        var personal = _gitlab.AddPersonalToken("create_runner");
        _gitlab.Fail(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.Zero);
        using var api = Api();

        var created = await api.CreateProjectRunnerAsync(new Secret(personal), project.Id, new RunnerRequest("x", [], true), default);

        Assert.Equal(created.Id, Assert.Single(_gitlab.Runners).Id);
        Assert.Equal([429, 201], _gitlab.Calls.Snapshot().Select(c => c.Status));
    }

    [Fact]
    public async Task A_creating_call_to_a_GitLab_nobody_answers_is_retried_since_nothing_was_sent()
    {
        var url = _gitlab.Url;
        await _gitlab.DisposeAsync();

        // The port stays bound, never listened on, for the whole test: connecting is refused, and no listener of another
        // test running meanwhile can take the port and answer in its place.
        using var held = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        held.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        held.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, url.Port));
        var lines = new List<string>();
        using var api = new GitLabApi(url, new Redactor(), Fast with { Log = lines.Add });

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.CreateProjectRunnerAsync(new Secret("glpat-" + new string('x', 20)), 1, new RunnerRequest("x", [], true), default));

        Assert.Equal(3, lines.Count(l => l.Contains("retrying", StringComparison.Ordinal)));
        Assert.Contains("cannot be reached", error.Message);
        Assert.Contains("after retries", error.Message);
        Assert.False(error.Ambiguous);
    }

    [Fact]
    public async Task An_answer_slower_than_the_attempt_timeout_is_retried_and_then_reported()
    {
        _gitlab.Delay = TimeSpan.FromSeconds(2);
        using var api = Api(Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(200), Retries = 1 });

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.VerifyAsync(new Secret("glrt-" + new string('x', 20)), null, default));

        Assert.Contains("no answer in time", error.Message);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_error_says_so()
    {
        _gitlab.Fail(10, HttpStatusCode.BadGateway);
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.VerifyAsync(new Secret("glrt-" + new string('x', 20)), null, default));

        Assert.Equal(4, _gitlab.Calls.Snapshot().Count);
        Assert.Contains("502", error.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Client_errors_are_not_retried(HttpStatusCode status)
    {
        _gitlab.Fail(1, status);
        var personal = _gitlab.AddPersonalToken("create_runner");
        using var api = Api();

        await Assert.ThrowsAsync<GitLabException>(() => api.CreateProjectRunnerAsync(new Secret(personal), 1, new RunnerRequest("x", [], true), default));

        Assert.Single(_gitlab.Calls.Snapshot());
    }

    [Fact]
    public async Task A_personal_token_without_create_runner_is_named_as_the_cause()
    {
        var project = _gitlab.AddProject("group/app");
        var personal = _gitlab.AddPersonalToken("read_api");
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.CreateProjectRunnerAsync(new Secret(personal), project.Id, new RunnerRequest("x", [], true), default));

        Assert.Contains("no create_runner scope", error.Message);
        Assert.Empty(_gitlab.Runners);
    }

    [Fact]
    public async Task Registration_disabled_410_becomes_advice()
    {
        _gitlab.RegistrationEnabled = false;
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.RegisterAsync(new Secret(_gitlab.RegistrationToken), new RunnerRequest("x", [], true), default));

        Assert.Contains("410", error.Message);
        Assert.Contains("GITLAB_RUNNER_TOKEN", error.Message);
        Assert.Contains("17.0", error.Message);
        Assert.Single(_gitlab.Calls.Snapshot());
    }

    [Fact]
    public async Task An_HTML_page_is_reported_as_not_GitLab()
    {
        _gitlab.Fail(1, HttpStatusCode.OK, html: "<!DOCTYPE html><html><body>Proxy sign-in</body></html>");
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.VerifyAsync(new Secret("glrt-" + new string('x', 20)), null, default));

        Assert.Contains("HTML page", error.Message);
        Assert.Contains("GITLAB_URL", error.Message);
    }

    [Fact]
    public async Task An_unreachable_GitLab_is_retried_then_reported_with_the_fix()
    {
        var url = _gitlab.Url;
        await _gitlab.DisposeAsync();
        using var api = new GitLabApi(url, new Redactor(), Fast);

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.VerifyAsync(new Secret("glrt-" + new string('x', 20)), null, default));

        Assert.Contains("cannot be reached", error.Message);
        Assert.Contains("GITLAB_URL", error.Message);
    }

    [Fact]
    public async Task Project_look_up_takes_a_path_and_the_created_runner_token_is_registered_as_a_secret()
    {
        var project = _gitlab.AddProject("group/sub/app");
        var personal = _gitlab.AddPersonalToken("api", "create_runner");
        var redactor = new Redactor();
        using var api = new GitLabApi(_gitlab.Url, redactor, Fast);

        var id = await api.ProjectIdAsync(new Secret(personal), "group/sub/app", default);
        var created = await api.CreateProjectRunnerAsync(new Secret(personal), id, new RunnerRequest("ecr", ["ecr", "docker"], false), default);

        Assert.Equal(project.Id, id);
        var runner = Assert.Single(_gitlab.Runners);
        Assert.Equal((project.Id, "ecr", false), (runner.ProjectId!.Value, runner.Description, runner.RunUntagged));
        Assert.Equal(["ecr", "docker"], runner.Tags);
        Assert.Equal("***", redactor.Redact(created.Token.Reveal()).Trim());
        Assert.True(await api.DeleteAsync(created.Token, default));
        Assert.Empty(_gitlab.Runners);
    }
}
