using Build.Host;
using Build.Settings;

namespace Build.Tests.Host;

public sealed class CakeHostTests
{
    [Fact]
    public async Task Target_runs_after_its_dependencies_in_graph_order()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=Start");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(["Compile", "Stage", "Start"], host.Context!.Ran);
        Assert.Contains("Total:", host.Output);
    }

    [Fact]
    public async Task Default_target_runs_when_none_is_given()
    {
        var host = new HostHarness();

        var code = await host.RunAsync();

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("Start", host.Context!.Ran.Last());
    }

    [Fact]
    public async Task Exclusive_runs_only_the_target()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=Start", "--exclusive");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(["Start"], host.Context!.Ran);
    }

    [Fact]
    public async Task Target_names_are_case_insensitive_and_accept_the_short_switch()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("-t", "compile");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(["Compile"], host.Context!.Ran);
    }

    [Fact]
    public async Task Skipped_target_logs_the_reason_its_ShouldRun_gave_does_not_run_and_is_reported_as_skipped_with_it()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=AlreadyDone");

        Assert.True(code == ExitCodes.Success, host.Output);
        Assert.Empty(host.Context!.Ran);
        Assert.Contains("Skipping task AlreadyDone: helper v0.12.0 linux/amd64 already built, sha256 matches", host.Output);
        Assert.Matches(@"AlreadyDone +- +Skipped", host.Output);
        Assert.DoesNotContain("Succeeded", host.Output);
        Assert.Contains("  AlreadyDone skipped: helper v0.12.0 linux/amd64 already built, sha256 matches\n", host.Output);
    }

    [Fact]
    public async Task Skipped_dependency_logs_its_reason_and_the_target_still_runs()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=AfterSkipped");

        Assert.True(code == ExitCodes.Success, host.Output);
        Assert.Equal(["AfterSkipped"], host.Context!.Ran);
        Assert.Contains("Skipping task AlreadyDone: helper v0.12.0 linux/amd64 already built, sha256 matches", host.Output);
        Assert.Matches(@"AlreadyDone +- +Skipped", host.Output);
        Assert.Contains("  AlreadyDone skipped: helper v0.12.0 linux/amd64 already built, sha256 matches\n", host.Output);
    }

    [Fact]
    public async Task Failing_task_exits_non_zero_with_the_report_runs_its_hooks_and_stops_the_graph()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=AfterBroken");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(["Broken.OnError:the registry said no", "Broken.Finally"], host.Context!.Ran);
        Assert.Contains("the registry said no", host.Output);
        Assert.Contains("Failed", host.Output);
        Assert.Contains("Total:", host.Output);
    }

    [Fact]
    public async Task Unknown_target_exits_non_zero_and_lists_the_valid_targets()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=Deploy");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Null(host.Context);
        Assert.Contains("\"Deploy\" does not exist", host.Output);
        Assert.Contains("AfterBroken, AfterSkipped, AlreadyDone, ArgvLeak, Broken, Compile, Leaky, Stage, Start, Tidy, Wait", host.Output);
    }

    [Fact]
    public async Task Unknown_target_is_refused_by_tree_and_description_too()
    {
        var tree = new HostHarness();
        var description = new HostHarness();

        Assert.Equal(ExitCodes.Usage, await tree.RunAsync("--target=Deploy", "--tree"));
        Assert.Equal(ExitCodes.Usage, await description.RunAsync("--target=Deploy", "--description"));
    }

    [Fact]
    public async Task Tree_shows_dependencies_nested_under_their_target_and_runs_nothing()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--tree");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Null(host.Context);
        Assert.Matches(@"Start\s*\n\s*├─Compile\s*\n\s*└─Stage", host.Output.Replace("\r", string.Empty));
    }

    [Fact]
    public async Task Description_lists_every_task_with_its_description()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--description");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Starts after Compile and Stage.", host.Output);
        Assert.Contains("Skips itself with a reason.", host.Output);
    }

    [Fact]
    public async Task Dry_run_lists_the_tasks_in_order_and_runs_none()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=Start", "--dryrun");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Empty(host.Context!.Ran);
        Assert.Matches(@"1\. Compile\s+2\. Stage\s+3\. Start", host.Output);
    }

    [Fact]
    public async Task Dry_run_lets_a_task_preview_what_it_would_do_and_names_a_skipped_task_with_its_reason()
    {
        var preview = new HostHarness();
        var skipped = new HostHarness();

        var previewCode = await preview.RunAsync("--target=Tidy", "--dryrun");
        var skippedCode = await skipped.RunAsync("--target=AfterSkipped", "--dryrun");

        Assert.Equal(ExitCodes.Success, previewCode);
        Assert.Equal(["Tidy.Preview"], preview.Context!.Ran);
        Assert.Contains("1. Tidy", preview.Output);
        Assert.Equal(ExitCodes.Success, skippedCode);
        Assert.Empty(skipped.Context!.Ran);
        Assert.Matches(@"1\. AlreadyDone: would be skipped: helper v0\.12\.0 linux/amd64 already built, sha256 matches\s+2\. AfterSkipped", skipped.Output);
    }

    [Fact]
    public async Task Help_lists_targets_with_descriptions_and_the_default()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--help");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Targets (default: Start):", host.Output);
        Assert.Matches(@"Start\s+Starts after Compile and Stage\. \[after Compile, Stage\]", host.Output);
        Assert.Contains("--exclusive", host.Output);
        Assert.Contains("--runner-name / RUNNER_NAME", host.Output);
    }

    [Fact]
    public async Task Invalid_verbosity_is_a_usage_error()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--verbosity=loud");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("quiet, minimal, normal, verbose, diagnostic", host.Output);
    }

    [Fact]
    public async Task Quiet_verbosity_hides_task_headers()
    {
        var quiet = new HostHarness();
        var normal = new HostHarness();

        await quiet.RunAsync("--target=Compile", "--verbosity=quiet");
        await normal.RunAsync("--target=Compile");

        Assert.DoesNotContain("═", quiet.Output);
        Assert.Contains("═", normal.Output);
    }

    [Fact]
    public async Task Cancellation_stops_the_running_task_and_exits_130()
    {
        var host = new HostHarness();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var code = await host.RunAsync(cancellation.Token, "--target=Wait");

        // The task would wait 30 s: returning well before proves the token stopped it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed.TotalSeconds:0.0} s: cancellation did not stop the task");
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Equal(["Wait"], host.Context!.Ran);
        Assert.Contains("Cancelled", host.Output);
    }

    [Fact]
    public async Task Invalid_settings_stop_the_run_before_any_task()
    {
        var host = new HostHarness { Factory = _ => throw new SettingsException(["RUNNER_NAME = \"a b\" from default is not valid"]) };

        var code = await host.RunAsync("--target=Start");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("RUNNER_NAME = \"a b\"", host.Output);
        Assert.DoesNotContain("Compile", host.Output);
    }

    [Fact]
    public async Task A_secret_written_to_the_log_or_an_exception_is_masked()
    {
        var host = new HostHarness();

        var code = await host.RunAsync("--target=Leaky");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.DoesNotContain(LeakyTask.Token, host.Output);
        Assert.Contains("token is ***", host.Output);
        Assert.Contains("rejected token ***", host.Output);
    }

    [Fact]
    public async Task A_task_that_puts_a_secret_on_a_command_line_fails_and_starts_nothing()
    {
        var host = new HostHarness();
        File.Delete(ArgvLeakTask.Marker);

        var code = await host.RunAsync("--target=ArgvLeak");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Refused to start 'sh': its arguments hold GITLAB_TOKEN", host.Output);
        Assert.DoesNotContain(ArgvLeakTask.Token, host.Output);
        Assert.False(File.Exists(ArgvLeakTask.Marker), "the command was started");
    }

    [Fact]
    public async Task A_token_pasted_as_a_stray_word_is_not_echoed()
    {
        const string token = "glpat-pastedbymistake0123";
        var host = new HostHarness();

        var code = await host.RunAsync("Start", token);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unexpected argument of 25 characters (not shown: it may be a secret)", host.Output);
        Assert.DoesNotContain(token, host.Output);
    }

    [Fact]
    public async Task A_token_given_as_the_target_is_not_echoed()
    {
        const string token = "glrt-t1_pastedbymistake0123";
        var host = new HostHarness();

        var code = await host.RunAsync("--target=" + token);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("The target of 27 characters (not shown: it may be a secret) does not exist", host.Output);
        Assert.DoesNotContain(token, host.Output);
    }

    [Fact]
    public void Task_without_description_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TaskCatalog.Create([typeof(UndescribedTask)]));

        Assert.Contains("has no [TaskDescription]", error.Message);
    }

    [Fact]
    public void Dependency_on_a_task_outside_the_graph_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TaskCatalog.Create([typeof(StartTask)]));

        Assert.Contains("Start depends on Compile", error.Message);
    }

    private sealed class UndescribedTask : FrostingTask<RecordingContext>;
}
