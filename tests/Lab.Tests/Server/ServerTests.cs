using System.Net;
using Tomlyn;
using Tomlyn.Model;

namespace Lab.Server;

/// <summary>
/// Server mode end to end with the real build, Docker and Compose. The GitLab CE image cannot be pulled here, so the
/// lab's gitlab-standin image runs as the <c>gitlab</c> service and forwards to the GitLab emulator (see
/// <see cref="ServerRun"/>): readiness, the gitlab-rails root token, the project and the runner are the real code paths
/// against it; GitLab's own Rails, database and UI are not exercised.
/// </summary>
[Collection(LabServerCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ServerTests(LabFixture lab)
{
    [HelperArchiveFact]
    public async Task Register_with_server_bootstraps_the_gitlab_stand_in_and_a_second_run_creates_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var run = await ServerRun.StartAsync(lab, "server", cancel);

        // Given a machine with Docker and credentials, when ./build.sh --target=Register --server runs
        var first = await run.RunAsync(cancel, "--target=Register", "--server");

        // Then GitLab was waited for, root's token created through gitlab-rails, the project and the runner created
        var printed = first.Output + first.Error;
        Assert.True(first.Succeeded, printed);
        Assert.Contains("local GitLab ready after", printed);
        Assert.Contains("root personal access token created through gitlab-rails runner", printed);
        Assert.Contains("created project root/ecr-smoke", printed);
        var token = File.ReadAllText(run.TokenFile).Trim();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(run.TokenFile));
        Assert.Equal([token], run.GitLab.RootTokens);
        var project = Assert.Single(run.GitLab.Projects);
        Assert.Equal("root/ecr-smoke", project.PathWithNamespace);
        Assert.True(run.GitLab.HasReadme(project.Id));
        var runner = Assert.Single(run.GitLab.Runners);
        Assert.Equal(project.Id, runner.ProjectId);

        // And the token was only in gitlab-rails' environment, never in its argv or in any output
        var rails = Assert.Single(run.RailsCalls);
        Assert.StartsWith("runner value = ENV.fetch('GITLAB_RUNNER_ECR_ROOT_TOKEN')", rails);
        Assert.DoesNotContain(token, rails);
        Assert.DoesNotContain(token, printed);
        Assert.DoesNotContain(runner.Token, printed);

        // And config.toml points the runner at GitLab by its service name, with the jobs on the compose network
        var configText = File.ReadAllText(run.ConfigFile);
        var entry = ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(configText)!["runners"]).Cast<TomlTable>().Single();
        Assert.Equal($"http://gitlab:{run.WebPort}", entry["url"]);
        Assert.Equal(runner.Token, entry["token"]);
        Assert.Equal($"{run.Up.Project}_default", ((TomlTable)entry["docker"])["network_mode"]);
        var container = await run.Up.RunnerContainerAsync(cancel);
        var resolved = await Cli.RunAsync("docker", ["exec", container, "getent", "hosts", "gitlab"], cancel);
        Assert.True(resolved.Succeeded, "the runner container does not resolve gitlab: " + resolved.Error);

        // When it runs again, then it finds the token, project and runner and creates nothing
        var calls = run.GitLab.Calls.Snapshot().Count;
        var second = await run.RunAsync(cancel, "--target=Register", "--server");

        var again = second.Output + second.Error;
        Assert.True(second.Succeeded, again);
        Assert.Contains("accepted (user root): none created", again);
        Assert.Contains("project root/ecr-smoke exists", again);
        Assert.Contains("is still valid", again);
        Assert.Single(run.RailsCalls);
        Assert.Single(run.GitLab.Projects);
        Assert.Single(run.GitLab.Runners);
        Assert.Equal(1, run.GitLab.Calls.Count("POST", "/api/v4/projects"));
        Assert.Equal(1, run.GitLab.Calls.Count("POST", "/api/v4/user/runners"));
        Assert.DoesNotContain(run.GitLab.Calls.Snapshot().Skip(calls), c => c.Method != "GET" && c.Path != "/api/v4/runners/verify");
        Assert.Equal(configText, File.ReadAllText(run.ConfigFile));
        Assert.DoesNotContain(token, again);

        // And Status names the local GitLab; Clean unregisters the runner there and keeps the server's part of the state
        var status = await run.RunAsync(cancel, "--target=Status", "--server");
        Assert.Contains($"server       local GitLab http://127.0.0.1:{run.WebPort}/ (runners: http://gitlab:{run.WebPort}), project root/ecr-smoke, root token {run.TokenFile}", status.Output);
        Assert.Contains($"\"ecr-runner\" at http://gitlab:{run.WebPort}/", status.Output);
        var clean = await run.RunAsync(cancel, "--target=Clean", "--server");
        Assert.True(clean.Succeeded, clean.Output + clean.Error);
        Assert.Contains($"Unregistered runner \"ecr-runner\" from http://127.0.0.1:{run.WebPort}/", clean.Output);
        Assert.Empty(run.GitLab.Runners);
        Assert.Equal(token, File.ReadAllText(run.TokenFile).Trim());
        Assert.False(File.Exists(run.ConfigFile));
        Assert.DoesNotContain(token, status.Output + status.Error + clean.Output + clean.Error);
    }

    [HelperArchiveFact]
    public async Task SmokeTest_with_server_goes_from_nothing_to_both_ECR_levels_and_a_green_pipeline_on_the_stand_in_gitlab()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var run = await ServerRun.StartAsync(lab, "server-smoke", cancel);
        run.Up.UseSmokeTestStandIns();
        // The lab's registries live on its internal network (a user's ECR is reachable from any network), so the jobs
        // join that one here (RUNNER_NETWORK); the local GitLab joins it too, so the jobs reach it by name there.
        run.Up.Environment["RUNNER_NETWORK"] = lab.Network;

        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--server");

        var printed = smoke.Output + smoke.Error;
        Assert.True(smoke.Succeeded, printed);
        foreach (var task in new[] { "BuildHelper", "Preflight", "StageCredentials", "Up", "Bootstrap", "Register", "SmokeTest" })
        {
            Assert.Matches($@"\n\s*{task}\s+[\d:.]+\s+Succeeded", printed);
        }

        Assert.Contains("created project root/ecr-smoke", printed);
        Assert.Matches(@"executor \(image:\)\s+pass", printed);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", printed);

        // Pipeline mode ran with root's token on the bootstrapped project: the example pipeline committed there, one
        // pipeline, its two jobs passed (the emulator moves jobs only for a runner that fits them: this one's).
        var project = Assert.Single(run.GitLab.Projects, p => p.PathWithNamespace == "root/ecr-smoke");
        Assert.Contains("pipeline mode: http://127.0.0.1:", printed);
        var committed = run.GitLab.Repository(project.Id).Branches["gitlab-runner-ecr-smoketest"][".gitlab-ci.yml"];
        Assert.Contains(lab.Registries[0].PrivateImage, committed);
        var pipeline = Assert.Single(run.GitLab.Pipelines);
        Assert.Equal(project.Id, pipeline.ProjectId);
        Assert.All(pipeline.Jobs, j => Assert.Equal("success", j.Status));
        Assert.Matches(@"pipeline: test-runner-pull\s+pass", printed);
        Assert.Matches(@"pipeline: test-dind-pull\s+pass", printed);
        Assert.Empty(run.GitLab.Errors);
        Assert.Single(run.GitLab.Runners);
        var job = await Cli.RunAsync("docker", ["run", "--rm", "--pull", "never", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", lab.Network, lab.Images.DockerCli, "getent", "hosts", "gitlab"], cancel);
        Assert.True(job.Succeeded, "a job on RUNNER_NETWORK does not resolve gitlab: " + job.Error);
        Assert.DoesNotContain(File.ReadAllText(run.TokenFile).Trim(), printed);
        Assert.DoesNotContain(run.GitLab.Runners.Single().Token, printed);
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed);
    }

    [HelperArchiveFact]
    public async Task A_gitlab_that_never_gets_healthy_fails_Up_after_GITLAB_SERVER_TIMEOUT_with_the_tail_of_its_health_log()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var cancel = timeout.Token;
        await using var run = await ServerRun.StartAsync(lab, "server-slow", cancel);
        run.MakeUnhealthy("502 Bad Gateway (the test keeps the stand-in unhealthy)");
        run.Up.Environment["SERVER"] = "true";
        run.Up.Environment["GITLAB_SERVER_TIMEOUT"] = "10";

        var up = await run.Up.UpAsync(cancel);

        var printed = up.Output + up.Error;
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("the local GitLab is not ready after 10 s (GITLAB_SERVER_TIMEOUT): container health unhealthy", printed);
        Assert.Contains("waiting for the local GitLab: container health", printed);
        Assert.Contains("last health checks (docker inspect .State.Health.Log):", printed);
        Assert.Contains("exit 1: gitlab-healthcheck: 502 Bad Gateway (the test keeps the stand-in unhealthy)", printed);
        Assert.Contains("last lines of its log (docker logs):", printed);
        Assert.Contains("gitlab-standin: forwarding", printed);
        Assert.Contains("raise GITLAB_SERVER_TIMEOUT (now 10)", printed);
        Assert.Empty(run.GitLab.Calls.Snapshot());
    }

    [HelperArchiveFact]
    public async Task Bootstrap_failures_name_the_call_and_the_fix_and_a_rerun_completes_without_a_second_token()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var run = await ServerRun.StartAsync(lab, "server-faults", cancel);
        run.Up.Environment["SERVER"] = "true";
        var up = await run.Up.UpAsync(cancel);
        Assert.True(up.Succeeded, up.Output + up.Error);

        // GitLab fails on project creation: 500 (looked for after each attempt, then tried again), then 401; then it
        // makes the project and drops the connection before answering
        run.GitLab.ProjectCreationFault = HttpStatusCode.InternalServerError;
        var failed = await run.RunAsync(cancel, "--target=Bootstrap", "--exclusive");
        run.GitLab.ProjectCreationFault = HttpStatusCode.Unauthorized;
        var refused = await run.RunAsync(cancel, "--target=Bootstrap", "--exclusive");
        run.GitLab.ProjectCreationFault = null;
        run.GitLab.FailCreation("POST", "/api/v4/projects", CreationFault.DropAfter);
        var fixedRun = await run.RunAsync(cancel, "--target=Bootstrap", "--exclusive");

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains($"Bootstrap: POST /projects on the local GitLab at http://127.0.0.1:{run.WebPort} answered 500 500 InternalServerError (emulated); project root/ecr-smoke was not there after 4 attempts", failed.Output + failed.Error);
        Assert.Contains("every bootstrap step finds what exists and creates only what is missing", failed.Output + failed.Error);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused root's token on POST /projects (401", refused.Output + refused.Error);
        Assert.Contains("delete that file and run ./build.sh --target=Up --server again", refused.Output + refused.Error);
        Assert.True(fixedRun.Succeeded, fixedRun.Output + fixedRun.Error);
        Assert.Contains("project root/ecr-smoke is there: GitLab made it before its answer failed", fixedRun.Output + fixedRun.Error);
        Assert.Contains("created project root/ecr-smoke", fixedRun.Output);
        Assert.Single(run.GitLab.Projects);
        Assert.Equal(6, run.GitLab.Calls.Count("POST", "/api/v4/projects"));
        Assert.Single(run.RailsCalls);
        var token = File.ReadAllText(run.TokenFile).Trim();
        Assert.DoesNotContain(token, failed.Output + failed.Error + refused.Output + refused.Error + fixedRun.Output + fixedRun.Error);

        // A server that lost root's token (data replaced) gets the stored one again through gitlab-rails
        File.WriteAllText(run.GitLab.RootTokensFile!, string.Empty);
        var recreated = await run.RunAsync(cancel, "--target=Bootstrap", "--exclusive");
        Assert.True(recreated.Succeeded, recreated.Output + recreated.Error);
        Assert.Contains("does not accept the root token in the state folder (401)", recreated.Output);
        Assert.Contains("root personal access token created through gitlab-rails runner", recreated.Output);
        Assert.Equal([token], run.GitLab.RootTokens);
        Assert.Equal(2, run.RailsCalls.Count);

        // A stopped GitLab makes Up run again (not skip as up to date), and wait for it
        var gitlab = (await Cli.DockerAsync("find the gitlab container", cancel, "ps", "--quiet", "--filter", $"label=com.docker.compose.project={run.Up.Project}", "--filter", "label=com.docker.compose.service=gitlab")).Output.Trim();
        await Cli.DockerAsync("stop the gitlab container", cancel, "stop", "--time", "5", gitlab);
        var restarted = await run.RunAsync(cancel, "--target=Up", "--exclusive");
        Assert.True(restarted.Succeeded, restarted.Output + restarted.Error);
        Assert.DoesNotContain("Skipping task Up", restarted.Output);
        Assert.Contains("local GitLab ready after", restarted.Output);
    }
}
