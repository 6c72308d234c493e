using System.Net.Sockets;
using System.Xml.Linq;
using Build.Docker;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest's authentication probe against the lab: Up and Register with the stand-in images set through the
/// settings a user has (runner host, DinD, docker CLI), DinD with the capability set (privileged is refused here),
/// the lab CA as REGISTRY_CA_BUNDLE; then the probe with good and with wrong credentials. Nothing may be left.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SmokeTestTests(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task In_helper_mode_SmokeTest_passes_both_levels_and_a_wrong_secret_fails_both_naming_InvalidSignatureException()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "smoke");
        var runner = run.UseGitLab(gitlab);
        var registry = lab.Registries[0];
        run.UseSmokeTestStandIns();
        run.Environment["DIND_AUTH"] = "helper";

        // Given the runner up and registered
        await run.UpAndRegisterAsync(cancel);

        // When SmokeTest runs, then both levels pass, the summary and JUnit XML say so, and the pipeline is generated
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);
        Assert.True(smoke.Succeeded, text);
        Assert.Matches(@"executor \(image:\)\s+pass", text);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+pass .* on tcp://docker:2376 \(TLS\)", text);
        Assert.Contains("pipeline mode: skipped (set GITLAB_TOKEN", text);
        Assert.DoesNotContain(runner.Token, text);
        Assert.DoesNotContain(lab.Key.SecretAccessKey, text);
        Assert.Contains("helper: 0.8.0 linux/amd64 (HELPER_SOURCE=path)\nlevel ", text);
        var junit = XDocument.Load(Path.Combine(run.State, "smoketest", "junit.xml"));
        Assert.Equal(2, junit.Descendants("testcase").Count());
        Assert.Equal("0.8.0 linux/amd64 (HELPER_SOURCE=path)", (string?)junit.Descendants("property").Single(p => (string?)p.Attribute("name") == "helper").Attribute("value"));
        Assert.Empty(junit.Descendants("failure"));
        var pipeline = File.ReadAllText(Path.Combine(run.State, "pipeline", ".gitlab-ci.yml"));
        Assert.Contains($"image: \"{registry.PrivateImage}\"", pipeline);
        Assert.Contains($"name: \"{lab.Images.Dind}\"", pipeline);
        await AssertNothingLeftAsync(run.Project, cancel);

        // When the credentials file holds a wrong secret, then both levels fail and name the cause from the helper's log
        lab.WriteCredentials(run.CredentialsFile, "wrong-" + lab.Key.SecretAccessKey);
        var wrong = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var wrongText = wrong.Output + wrong.Error;
        output.WriteLine(wrongText);
        Assert.False(wrong.Succeeded, wrongText);
        Assert.Matches(@"executor \(image:\)\s+FAIL.*InvalidSignatureException", wrongText);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+FAIL.*InvalidSignatureException", wrongText);
        Assert.DoesNotContain(runner.Token, wrongText);
        var failed = XDocument.Load(Path.Combine(run.State, "smoketest", "junit.xml"));
        Assert.Equal(2, failed.Descendants("failure").Count());
        await AssertNothingLeftAsync(run.Project, cancel);

        // When SmokeTest is interrupted (Ctrl-C) while its DinD service runs, then it stops and removes what it made
        using var build = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=SmokeTest", "--exclusive"], environment: run.Environment);
        var filter = new[] { "ps", "-aq", "--filter", $"label=gitlab-runner-ecr.project={run.Project}", "--filter", "label=gitlab-runner-ecr.role=smoketest" };
        while ((await Cli.DockerAsync("wait for the smoke containers", cancel, filter)).Output.Trim().Length == 0)
        {
            Assert.False(build.Process.HasExited, "SmokeTest ended before its DinD level started");
            await Task.Delay(100, cancel);
        }

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", build.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancel);
        }

        var interrupted = await build.FinishAsync(cancel);
        output.WriteLine(interrupted.Output + interrupted.Error);
        Assert.Equal(130, interrupted.ExitCode);
        await AssertNothingLeftAsync(run.Project, cancel);
    }

    [HelperArchiveFact]
    public async Task In_helper_mode_with_keys_from_the_environment_both_levels_pass_and_no_key_is_in_config_toml()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-env", cancel);
        var (gitlab, run, runner) = stack;

        // Given the keys in the environment, not in a file, and jobs that run the helper
        run.Environment["DIND_AUTH"] = "helper";
        run.Environment["CREDENTIALS_SOURCE"] = "environment";
        run.Environment["AWS_ACCESS_KEY_ID"] = lab.Key.AccessKeyId;
        run.Environment["AWS_SECRET_ACCESS_KEY"] = lab.Key.SecretAccessKey;
        await run.UpAndRegisterAsync(cancel);

        // When SmokeTest runs
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);

        // Then both levels pass; config.toml holds neither key, the jobs read a private file in the state folder
        Assert.True(smoke.Succeeded, text);
        Assert.Matches(@"executor \(image:\)\s+pass", text);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", text);
        var config = File.ReadAllText(Path.Combine(run.State, "runner", "config", "config.toml"));
        Assert.DoesNotContain(lab.Key.SecretAccessKey, config);
        Assert.DoesNotContain(lab.Key.AccessKeyId, config);
        var jobs = Path.Combine(run.State, "runner", "jobs", "credentials");
        Assert.Contains($"{jobs}:/root/.aws/credentials:ro", config);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(jobs));
        Assert.DoesNotContain(lab.Key.SecretAccessKey, text);
        Assert.DoesNotContain(runner.Token, text);
        await AssertNothingLeftAsync(run.Project, cancel);
    }

    [HelperArchiveFact]
    public async Task SmokeTest_fails_the_executor_level_alone_when_the_helper_is_not_on_the_runner_PATH()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-nohelper", cancel);
        var (gitlab, run, runner) = stack;
        await run.UpAndRegisterAsync(cancel);

        // Given the runner replaced by one without the helper (a runner image of the user's own, without the mount)
        var original = await run.RunnerContainerAsync(cancel);
        await Cli.DockerAsync("stop the runner", cancel, "stop", "--time", "2", original);
        var bare = $"{run.Project}-bare-runner";
        await Cli.DockerAsync("start a runner without the helper", cancel,
            "run", "-d", "--pull", "never", "--name", bare, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "--label", $"com.docker.compose.project={run.Project}", "--label", "com.docker.compose.service=runner", "--network", lab.Network, lab.Images.RunnerHost);
        try
        {
            // When SmokeTest runs
            var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var text = smoke.Output + smoke.Error;
            output.WriteLine(text);

            // Then the executor level fails saying why, and the DinD level (which does not use the runner's PATH) passes
            Assert.False(smoke.Succeeded, text);
            Assert.Matches(@"executor \(image:\)\s+FAIL.*docker-credential-ecr-login is not on the runner's PATH", text);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", text);
            Assert.DoesNotContain(runner.Token, text);
            await AssertNothingLeftAsync(run.Project, cancel);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", bare], CancellationToken.None);
        }
    }

    [HelperArchiveFact]
    public async Task In_helper_mode_the_DinD_level_works_in_a_musl_only_job_image_with_the_static_helper_and_names_why_a_glibc_one_fails()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        var muslCli = await MuslCliImage.BuildAsync(lab, cancel);
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "smoke-musl");
        var runner = run.UseGitLab(gitlab);
        run.Environment["DOCKER_CLI_IMAGE"] = muslCli;
        run.Environment["DIND_AUTH"] = "helper";
        run.UseSmokeTestStandIns();
        try
        {
            await run.UpAndRegisterAsync(cancel);

            // Given a musl-only job image and the static helper: both levels pass
            var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            output.WriteLine(smoke.Output + smoke.Error);
            Assert.True(smoke.Succeeded, smoke.Output + smoke.Error);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", smoke.Output);

            // When config.toml gives the jobs Debian's glibc-linked helper instead
            var configFile = Path.Combine(run.State, "runner", "config", "config.toml");
            var helper = Path.Combine(run.State, "helper");
            var config = File.ReadAllText(configFile);
            var staticHelper = System.Text.RegularExpressions.Regex.Match(config, "\"([^\"]+):/usr/local/bin/docker-credential-ecr-login:ro\"").Groups[1].Value;
            Assert.StartsWith(helper, staticHelper);
            File.WriteAllText(configFile, config.Replace(staticHelper + ":", lab.Images.Helper + ":", StringComparison.Ordinal));
            var glibc = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var text = glibc.Output + glibc.Error;
            output.WriteLine(text);

            // Then the DinD level alone fails, naming why (exit 127 "not found" in the musl image)
            Assert.False(glibc.Succeeded, text);
            Assert.Matches(@"executor \(image:\)\s+pass", text);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+FAIL.*the helper cannot run in the job image .* \(exit 127, ""not found""\): .*it is dynamically linked", text);
            Assert.DoesNotContain(runner.Token, text);
            await AssertNothingLeftAsync(run.Project, cancel);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rmi", muslCli], CancellationToken.None);
        }
    }

    [HelperArchiveFact]
    public async Task SmokeTest_fails_the_executor_level_over_plain_tcp_off_loopback_without_fetching_or_sending_the_token()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "smoke-tcp");
        var runner = run.UseGitLab(gitlab);
        var registry = lab.Registries[0];
        run.UseSmokeTestStandIns();
        await run.UpAndRegisterAsync(cancel);

        // Given DOCKER_HOST on plain tcp off loopback: a relay on the lab network's gateway to this machine's daemon, recording the wire
        var daemon = EngineEndpoints.Resolve(Environment.GetEnvironmentVariable);
        Assert.True(daemon.IsUnixSocket, $"the lab's daemon is expected on a unix socket, not {daemon.Host}");
        await using var relay = TcpRecorder.Start(lab.Gateway, c => TcpRecorder.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath), c));
        run.Environment["DOCKER_HOST"] = $"tcp://{lab.Gateway}:{relay.EndPoint.Port}";
        try
        {
            // When SmokeTest runs
            var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var text = smoke.Output + smoke.Error;
            output.WriteLine(text);

            // Then the docker CLI went through the relay, which never carried the registry token in any form
            Assert.True(relay.Connections > 0, "SmokeTest did not use DOCKER_HOST");
            // (Assert.False, so that a failure does not print what the relay carried.)
            Assert.False(relay.Text.Contains("X-Registry-Auth", StringComparison.OrdinalIgnoreCase), "an X-Registry-Auth header crossed the plain tcp endpoint");
            foreach (var form in Build.Secrets.SecretForms.Of(registry.Ecr.Password))
            {
                Assert.False(relay.Text.Contains(form, StringComparison.Ordinal), "the registry token crossed the plain tcp endpoint");
                Assert.DoesNotContain(form, text);
            }

            // And the executor level fails with the refusal as its cause and its fix; the DinD level passes through the same endpoint
            Assert.False(smoke.Succeeded, text);
            Assert.Matches(@"executor \(image:\)\s+FAIL .* not run, so that no ECR token is fetched or sent: tcp://\S+ \(from DOCKER_HOST\) is plain HTTP over the network: the ECR token would cross it in clear text", text);
            Assert.Contains("Fix (executor (image:)): set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH", text);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", text);
            var failure = XDocument.Load(Path.Combine(run.State, "smoketest", "junit.xml")).Descendants("failure").Single();
            Assert.Contains("plain HTTP over the network", failure.Attribute("message")!.Value);

            Assert.DoesNotContain(runner.Token, text);
            await AssertNothingLeftAsync(run.Project, cancel);
        }
        finally
        {
            run.Environment.Remove("DOCKER_HOST");
        }
    }

    internal static async Task AssertNothingLeftAsync(string project, CancellationToken cancel)
    {
        var filter = new[] { "--filter", $"label=gitlab-runner-ecr.project={project}", "--filter", "label=gitlab-runner-ecr.role=smoketest" };
        Assert.Equal(string.Empty, (await Cli.DockerAsync("list smoke containers", cancel, ["ps", "-aq", .. filter])).Output.Trim());
        Assert.Equal(string.Empty, (await Cli.DockerAsync("list smoke volumes", cancel, ["volume", "ls", "-q", .. filter])).Output.Trim());
        Assert.Equal(string.Empty, (await Cli.DockerAsync("list smoke networks", cancel, ["network", "ls", "-q", .. filter])).Output.Trim());
    }
}
