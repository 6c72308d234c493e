using System.Xml.Linq;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// ./build.sh --target=SmokeTest as a process after a real Up and Register, with GITLAB_TOKEN and GITLAB_PROJECT set
/// (the GitLab emulator with scripted jobs): the probe's rows and the pipeline's rows in one summary and one JUnit file,
/// the exit code, no token anywhere, and an interrupted run that leaves no stale pass for Status.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PipelineModeLabTests(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task SmokeTest_runs_the_probe_then_the_pipeline_and_fails_on_the_credentials_warning_and_an_interrupted_run_is_not_a_pass()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-pipeline", cancel);
        var (gitlab, run, runner) = stack;
        var (project, token) = run.UsePipelineMode(gitlab);
        run.Environment["PIPELINE_PENDING_TIMEOUT"] = "10";
        await run.UpAndRegisterAsync(cancel);
        var junitFile = Path.Combine(run.State, "smoketest", "junit.xml");

        // When SmokeTest runs with pipeline mode on and both jobs pass
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);

        // Then the probe's two rows and the pipeline's two rows pass, in the table and in the JUnit file
        Assert.True(smoke.Succeeded, text);
        Assert.Matches(@"executor \(image:\)\s+pass", text);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+pass .* on tcp://docker:2376 \(TLS\)", text);
        Assert.Matches(@"pipeline: test-runner-pull\s+pass", text);
        Assert.Matches(@"pipeline: test-dind-pull\s+pass", text);
        Assert.Contains("test-dind-pull running", text);
        var junit = XDocument.Load(junitFile);
        Assert.Equal(4, junit.Descendants("testcase").Count());
        Assert.Empty(junit.Descendants("failure"));
        Assert.Equal(".gitlab-ci.yml", Assert.Single(gitlab.Repository(project.Id).Branches["gitlab-runner-ecr-smoketest"].Keys));
        AssertNoSecret(text + File.ReadAllText(junitFile), token, runner.Token);

        // When the runner warns that it could not use DOCKER_AUTH_CONFIG in a job that passed
        gitlab.ScriptJob("test-runner-pull", JobOutcome.Success, "Running with gitlab-runner 19.3.0\nWARNING: Failed to resolve credentials from $DOCKER_AUTH_CONFIG: exec: \"docker-credential-ecr-login\": executable file not found in $PATH\nJob succeeded\n");
        var warned = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var warnedText = warned.Output + warned.Error;
        output.WriteLine(warnedText);

        // Then SmokeTest fails (exit 1) on that row alone, prints the job's log tail, and the JUnit file says so
        Assert.Equal(1, warned.ExitCode);
        Assert.Matches(@"pipeline: test-runner-pull\s+FAIL.*but the runner warned: WARNING: Failed to resolve credentials from \$DOCKER_AUTH_CONFIG", warnedText);
        Assert.Matches(@"executor \(image:\)\s+pass", warnedText);
        Assert.Contains("  | Job succeeded", warnedText);
        Assert.Single(XDocument.Load(junitFile).Descendants("failure"));
        AssertNoSecret(warnedText + File.ReadAllText(junitFile), token, runner.Token);

        // When a run is interrupted (Ctrl-C) while it follows a pipeline whose job keeps running
        gitlab.ScriptJob("test-runner-pull", JobOutcome.Success);
        gitlab.ScriptJob("test-dind-pull", JobOutcome.KeepsRunning, "pulling\n");
        var before = gitlab.Pipelines.Count;
        using var build = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=SmokeTest", "--exclusive"], environment: run.Environment);
        while (gitlab.Pipelines.Count == before || gitlab.Pipelines.Last().Jobs.All(j => j.Status != "running"))
        {
            Assert.False(build.Process.HasExited, "SmokeTest ended before its pipeline ran");
            await Task.Delay(100, cancel);
        }

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", build.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancel);
        }

        var interrupted = await build.FinishAsync(cancel);
        output.WriteLine(interrupted.Output + interrupted.Error);

        // Then it exits 130, cancels the pipeline, and the JUnit file and Status show a run that did not finish, not the earlier result
        Assert.Equal(130, interrupted.ExitCode);
        Assert.Equal("canceled", gitlab.Pipelines.Last().Status);
        Assert.Contains("did not finish", File.ReadAllText(junitFile));
        var status = await run.RunAsync(cancel, "--target=Status", "--exclusive");
        output.WriteLine(status.Output);
        Assert.Matches(@"smoke test\s+failed \(1 failing\)", status.Output);
        AssertNoSecret(interrupted.Output + interrupted.Error + status.Output, token, runner.Token);
    }

    private static void AssertNoSecret(string text, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text);
        }
    }
}
