using System.Net;
using System.Text.Json.Nodes;
using Build.GitLab;
using Build.Secrets;
using Build.Smoke;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest's pipeline mode against the GitLab emulator with scripted jobs: the example pipeline committed to a branch,
/// run, followed and judged; stuck jobs explained from the runner's state; faults and timeouts; no token in any output.
/// </summary>
public sealed class PipelineModeTests : IAsyncLifetime
{
    private const string Warning = "WARNING: Failed to resolve credentials from $DOCKER_AUTH_CONFIG: exec: \"docker-credential-ecr-login\": executable file not found in $PATH";
    private static readonly GitLabApiOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(2), Retries = 3 };
    private readonly List<string> _lines = [];
    private GitLabEmulator _gitlab = null!;
    private EmulatedProject _project = null!;
    private string _token = null!;
    private EmulatedRunner _runner = null!;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _project = _gitlab.AddProject("team/app");
        _token = _gitlab.AddPersonalToken("api");
        _runner = _gitlab.AddProjectRunner(_project.Id, ["ecr"], runUntagged: false);
    }

    public async Task DisposeAsync() => await _gitlab.DisposeAsync();

    private static string Yaml(params string[] tags) =>
        $"variables:\n  PRIVATE_ECR_IMAGE: \"x\"\n{ExamplePipeline.Tags(tags)}\ntest-runner-pull:\n  image: x\n  script:\n    - echo\n\ntest-dind-pull:\n  image: y\n  script:\n    - docker pull x\n";

    private async Task<IReadOnlyList<LevelResult>> RunAsync(string yaml, TimeSpan? timeout = null, TimeSpan? pending = null, long? runnerId = -1, GitLabApiOptions? api = null, string? token = null)
    {
        var redactor = new Redactor();
        var secret = new Secret(token ?? _token);
        redactor.Add(secret, "GITLAB_TOKEN");
        redactor.Add(new Secret(_runner.Token), "the runner token");
        using var client = new GitLabApi(_gitlab.Url, redactor, (api ?? Fast) with { Log = _lines.Add });
        var options = new PipelineOptions(_project.PathWithNamespace, "smoke", timeout ?? TimeSpan.FromSeconds(20), pending ?? TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(30), runnerId == -1 ? _runner.Id : runnerId);
        return await new PipelineMode(client, secret, options, redactor, _lines.Add).RunAsync(yaml, default);
    }

    private string Output => string.Join('\n', _lines);

    private void AssertNoToken(IEnumerable<LevelResult> results)
    {
        var all = Output + string.Join('\n', results.Select(r => $"{r.Cause} {r.Fix} {r.Detail}")) + new SmokeSummary([.. results], TimeSpan.Zero).JUnitXml(DateTimeOffset.UtcNow);
        Assert.DoesNotContain(_token, all);
        Assert.DoesNotContain(_runner.Token, all);
    }

    [Fact]
    public async Task Both_jobs_pass_on_a_new_branch_and_a_second_run_commits_nothing()
    {
        // Given a project with an empty main, and a runner with the pipeline's tag
        // When pipeline mode runs twice
        var first = await RunAsync(Yaml("ecr"));
        var second = await RunAsync(Yaml("ecr"));

        // Then both jobs pass, each as its own row, with a line per state change
        Assert.All(first.Concat(second), r => Assert.True(r.Passed, r.Cause));
        Assert.Equal(["pipeline: test-runner-pull", "pipeline: test-dind-pull"], first.Select(r => r.Level));
        Assert.Contains(_lines, l => l.Contains("test-runner-pull pending", StringComparison.Ordinal));
        Assert.Contains(_lines, l => l.Contains("test-runner-pull running", StringComparison.Ordinal));
        Assert.Contains(_lines, l => l.Contains("test-runner-pull success", StringComparison.Ordinal));

        // And the file went to a branch made from main in one commit ([skip ci]); the second run found it up to date
        var repository = _gitlab.Repository(_project.Id);
        var commit = Assert.Single(repository.Commits);
        Assert.Equal("smoke", commit.Branch);
        Assert.Contains("[skip ci]", commit.Message);
        Assert.Equal(Yaml("ecr"), repository.Branches["smoke"][".gitlab-ci.yml"]);
        Assert.Empty(repository.Branches["main"]);
        Assert.Contains(_lines, l => l.Contains("up to date: nothing committed", StringComparison.Ordinal));
        Assert.Equal(2, _gitlab.Pipelines.Count);
        Assert.All(_gitlab.Calls.Snapshot(), c => Assert.True(c.PrivateToken));
        AssertNoToken(first);
    }

    [Fact]
    public async Task A_changed_pipeline_is_committed_as_an_update_on_the_existing_branch()
    {
        await RunAsync(Yaml("ecr"));

        await RunAsync(Yaml("ecr") + "# changed\n");

        var commits = _gitlab.Repository(_project.Id).Commits.ToList();
        Assert.Equal(2, commits.Count);
        Assert.Contains("\"action\":\"create\"", commits[0].Actions);
        Assert.Contains("\"action\":\"update\"", commits[1].Actions);
    }

    [Fact]
    public async Task A_failed_job_fails_its_row_and_prints_the_redacted_tail_of_its_log()
    {
        // Given a DinD job that fails, its log holding (by accident) the personal token, and 40 lines
        var log = string.Join('\n', Enumerable.Range(1, 40).Select(i => $"line {i}")) + $"\ntoken {_token}\nError response from daemon: no basic auth credentials\n";
        _gitlab.ScriptJob("test-dind-pull", JobOutcome.Failed, log);

        var results = await RunAsync(Yaml("ecr"));

        // Then its row fails with the tail as detail, the other passes, and the tail is printed without the token
        var failed = Assert.Single(results, r => !r.Passed);
        Assert.Equal("pipeline: test-dind-pull", failed.Level);
        Assert.Matches(@"job #\d+ failed", failed.Cause);
        Assert.Contains("no basic auth credentials", failed.Detail);
        Assert.Contains(_lines, l => l == "  | Error response from daemon: no basic auth credentials");
        Assert.Contains(_lines, l => l == "  | line 13");
        Assert.DoesNotContain(_lines, l => l == "  | line 12");
        Assert.Contains("token ***", Output);
        Assert.False(new SmokeSummary([.. results], TimeSpan.Zero).Passed);
        AssertNoToken(results);
    }

    [Fact]
    public async Task The_credentials_warning_fails_a_job_that_passed()
    {
        _gitlab.ScriptJob("test-runner-pull", JobOutcome.Success, $"Running with gitlab-runner 19.3.0\n{Warning}\nJob succeeded\n");

        var results = await RunAsync(Yaml("ecr"));

        var warned = Assert.Single(results, r => !r.Passed);
        Assert.Equal("pipeline: test-runner-pull", warned.Level);
        Assert.Contains("success, but the runner warned: " + Warning, warned.Cause);
        Assert.Contains("docker-credential-ecr-login is on the runner's PATH", warned.Fix);
        AssertNoToken(results);
    }

    [Fact]
    public async Task A_job_whose_tags_the_runner_lacks_stays_pending_and_the_row_names_the_missing_tag_and_the_pipeline_is_canceled()
    {
        // Given jobs tagged "gpu" and a runner tagged "ecr"
        var results = await RunAsync(Yaml("gpu"));

        // Then the pending job fails naming the tags, and the pipeline is canceled
        var stuck = results.First(r => !r.Passed);
        Assert.Contains("no runner picked it", stuck.Cause);
        Assert.Contains("the job's tags [gpu] are not all in runner", stuck.Cause);
        Assert.Contains("missing: gpu", stuck.Cause);
        Assert.Contains("RUNNER_TAGS", stuck.Fix);
        Assert.All(results, r => Assert.False(r.Passed));
        Assert.Equal("canceled", _gitlab.Pipelines.Single().Status);
        Assert.Equal(1, _gitlab.Calls.Count("POST", $"/api/v4/projects/{_project.Id}/pipelines/{_gitlab.Pipelines.Single().Id}/cancel"));
        AssertNoToken(results);
    }

    [Fact]
    public async Task A_paused_runner_is_named_as_the_reason_a_job_stays_pending()
    {
        _gitlab.SetRunnerState(_runner.Id, paused: true);

        var results = await RunAsync(Yaml("ecr"));

        Assert.Contains($"runner #{_runner.Id} is paused", results[0].Cause);
        Assert.Contains("resume it", results[0].Fix);
    }

    [Fact]
    public async Task Untagged_jobs_a_runner_without_run_untagged_never_takes_and_a_runner_never_contacted_are_named()
    {
        _gitlab.SetRunnerState(_runner.Id, status: "never_contacted");

        var results = await RunAsync(Yaml());

        Assert.Contains("the job has no tags and runner", results[0].Cause);
        Assert.Contains("run_untagged=false", results[0].Cause);
        Assert.Contains("is never contacted", results[0].Cause);
    }

    [Fact]
    public async Task A_runner_of_another_project_is_named()
    {
        var other = _gitlab.AddProject("team/other");
        var foreign = _gitlab.AddProjectRunner(other.Id, ["ecr"]);
        _gitlab.SetRunnerState(_runner.Id, paused: true);

        var results = await RunAsync(Yaml("ecr"), runnerId: foreign.Id);

        Assert.Contains($"belongs to other projects ({other.Id}), not to GITLAB_PROJECT ({_project.Id})", results[0].Cause);
    }

    [Fact]
    public async Task Five_hundreds_are_retried_and_the_run_passes()
    {
        _gitlab.Fail(2, HttpStatusCode.BadGateway);

        var results = await RunAsync(Yaml("ecr"));

        Assert.All(results, r => Assert.True(r.Passed, r.Cause));
        Assert.Equal(2, _gitlab.Calls.Snapshot().Count(c => c.Status == 502));
        Assert.Contains(_lines, l => l.Contains("GitLab answered 502", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CreationFault.ErrorAfter)]
    [InlineData(CreationFault.DropAfter)]
    public async Task A_commit_whose_answer_was_lost_is_found_on_the_branch_and_not_made_twice(CreationFault fault)
    {
        // Given GitLab that makes the commit and then answers 500 or drops the connection
        _gitlab.FailCreation("POST", $"/api/v4/projects/{_project.Id}/repository/commits", fault);

        // When pipeline mode runs
        var results = await RunAsync(Yaml("ecr"));

        // Then it finds the file committed, makes no second commit, and the pipeline passes
        Assert.All(results, r => Assert.True(r.Passed, r.Cause));
        Assert.Single(_gitlab.Repository(_project.Id).Commits);
        Assert.Equal(1, _gitlab.Calls.Count("POST", $"/api/v4/projects/{_project.Id}/repository/commits"));
        Assert.Contains(_lines, l => l.Contains("is there: GitLab made it before its answer failed", StringComparison.Ordinal));
        Assert.Single(_gitlab.Pipelines);
        AssertNoToken(results);
    }

    [Theory]
    [InlineData(CreationFault.ErrorAfter)]
    [InlineData(CreationFault.DropAfter)]
    public async Task A_pipeline_whose_answer_was_lost_is_found_and_followed_and_not_started_twice(CreationFault fault)
    {
        // Given a pipeline of an earlier run on the branch, and GitLab that starts the next one and then fails its answer
        var earlier = await RunAsync(Yaml("ecr"));
        Assert.All(earlier, r => Assert.True(r.Passed, r.Cause));
        _gitlab.FailCreation("POST", $"/api/v4/projects/{_project.Id}/pipeline", fault);

        // When pipeline mode runs again
        var results = await RunAsync(Yaml("ecr"));

        // Then it follows the pipeline GitLab started for it (not the earlier one) and starts no other
        Assert.All(results, r => Assert.True(r.Passed, r.Cause));
        Assert.Equal(2, _gitlab.Pipelines.Count);
        var started = _gitlab.Pipelines.Last();
        Assert.Contains(_lines, l => l.StartsWith($"pipeline #{started.Id} started on smoke", StringComparison.Ordinal));
        Assert.Equal("success", started.Status);
        Assert.Equal(2, _gitlab.Calls.Count("POST", $"/api/v4/projects/{_project.Id}/pipeline"));
        AssertNoToken(results);
    }

    [Fact]
    public async Task A_pipeline_GitLab_did_not_start_is_looked_for_and_then_started_once()
    {
        _gitlab.FailCreation("POST", $"/api/v4/projects/{_project.Id}/pipeline", CreationFault.ErrorBefore);

        var results = await RunAsync(Yaml("ecr"));

        Assert.All(results, r => Assert.True(r.Passed, r.Cause));
        Assert.Single(_gitlab.Pipelines);
        Assert.Equal([500, 201], _gitlab.Calls.Snapshot().Where(c => c.Path.EndsWith("/pipeline", StringComparison.Ordinal)).Select(c => c.Status));
        Assert.Contains(_lines, l => l.Contains("is not there: GitLab made nothing; trying again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Persistent_five_hundreds_fail_one_pipeline_row_with_a_clear_cause()
    {
        _gitlab.Fail(100, HttpStatusCode.InternalServerError);

        var results = await RunAsync(Yaml("ecr"));

        var row = Assert.Single(results);
        Assert.Equal("pipeline", row.Level);
        Assert.False(row.Passed);
        Assert.Contains("answered 500", row.Cause);
        Assert.Equal(4, _gitlab.Calls.Snapshot().Count);
        AssertNoToken(results);
    }

    [Fact]
    public async Task Five_hundreds_while_following_fail_the_run_and_try_to_cancel_the_pipeline()
    {
        // Given GitLab that fails for good once the pipeline was started
        var redactor = new Redactor();
        using var client = new GitLabApi(_gitlab.Url, redactor, Fast);
        var options = new PipelineOptions(_project.PathWithNamespace, "smoke", TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(30), _runner.Id);
        var mode = new PipelineMode(client, new Secret(_token), options, redactor, line =>
        {
            _lines.Add(line);
            if (line.Contains("started on", StringComparison.Ordinal))
            {
                _gitlab.Fail(100, HttpStatusCode.ServiceUnavailable);
            }
        });

        var results = await mode.RunAsync(Yaml("ecr"), default);

        var row = Assert.Single(results);
        Assert.Matches(@"pipeline #\d+: .*answered 503", row.Cause);
        Assert.Contains(_lines, l => l.Contains("could not be canceled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slow_answers_time_out_per_attempt_and_then_fail_clearly()
    {
        _gitlab.Delay = TimeSpan.FromSeconds(1);

        var results = await RunAsync(Yaml("ecr"), api: Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(200), Retries = 1 });

        var row = Assert.Single(results);
        Assert.Contains("cannot be reached (no answer in time)", row.Cause);
    }

    [Fact]
    public async Task A_job_still_running_at_PIPELINE_TIMEOUT_fails_and_the_pipeline_is_canceled()
    {
        _gitlab.ScriptJob("test-dind-pull", JobOutcome.KeepsRunning, "pulling...\n");

        var results = await RunAsync(Yaml("ecr"), timeout: TimeSpan.FromSeconds(3));

        Assert.True(results[0].Passed, results[0].Cause);
        Assert.Contains("still running after 3 s (PIPELINE_TIMEOUT)", results[1].Cause);
        Assert.Equal("canceled", _gitlab.Pipelines.Single().Status);
    }

    [Fact]
    public async Task A_wrong_token_is_rejected_with_401_and_the_row_says_so_without_the_token()
    {
        var wrong = "glpat-" + new string('w', 20);

        var results = await RunAsync(Yaml("ecr"), token: wrong);

        var row = Assert.Single(results);
        Assert.Contains("GITLAB_TOKEN was rejected", row.Cause);
        Assert.Contains("api scope", row.Fix);
        Assert.DoesNotContain(wrong, Output + row.Cause + row.Fix);
        Assert.Equal(401, _gitlab.Calls.Snapshot().Single().Status);
    }

    [Fact]
    public async Task A_pipeline_GitLab_refuses_fails_one_row_with_GitLabs_reason()
    {
        var results = await RunAsync("variables:\n  A: \"1\"\n");

        var row = Assert.Single(results);
        Assert.Equal("pipeline", row.Level);
        Assert.Contains("POST /projects/:id/pipeline answered 400", row.Cause);
        Assert.Contains("No stages / jobs for this pipeline.", row.Cause);
        Assert.DoesNotContain(_gitlab.Pipelines, p => p.Jobs.Count > 0);
    }

    [Fact]
    public async Task The_emulator_refuses_a_commit_without_actions_and_a_new_branch_that_exists()
    {
        using var http = new HttpClient { BaseAddress = _gitlab.Url };
        http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", _token);
        var path = $"/api/v4/projects/{_project.Id}/repository/commits";

        var noActions = await http.PostAsync(path, Json(new JsonObject { ["branch"] = "x", ["commit_message"] = "m" }));
        var created = await http.PostAsync(path, Json(new JsonObject { ["branch"] = "x", ["start_branch"] = "main", ["commit_message"] = "m", ["actions"] = new JsonArray(new JsonObject { ["action"] = "create", ["file_path"] = "a", ["content"] = "1" }) }));
        var again = await http.PostAsync(path, Json(new JsonObject { ["branch"] = "x", ["start_branch"] = "main", ["commit_message"] = "m", ["actions"] = new JsonArray(new JsonObject { ["action"] = "create", ["file_path"] = "b", ["content"] = "1" }) }));
        var unauthenticated = await new HttpClient { BaseAddress = _gitlab.Url }.GetAsync($"/api/v4/projects/{_project.Id}/pipelines/1/jobs");

        Assert.Equal(HttpStatusCode.BadRequest, noActions.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already exists", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
