using System.Text.Json;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest in token mode (DIND_AUTH=token, the default) against the lab: both levels from a musl job image that has
/// no helper, the job container holding no AWS value (and SmokeTest failing when config.toml mounts credentials
/// again); a stale config.json (the refresher stopped, its last refresh failed) failing the DinD level with its cause.
/// </summary>
[Collection(LabSmokeCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TokenModeSmokeTests(LabFixture lab, ITestOutputHelper output)
{
    [HelperArchiveFact]
    public async Task Both_levels_pass_from_a_musl_job_image_without_a_helper_and_credentials_mounted_again_fail_the_DinD_level()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        var muslCli = await MuslCliImage.BuildAsync(lab, cancel);
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-token", cancel);
        var (gitlab, run, runner) = stack;
        run.Environment["DOCKER_CLI_IMAGE"] = muslCli;
        // The keys in the environment: the runner and the refresher get them, the jobs must not.
        run.Environment["CREDENTIALS_SOURCE"] = "environment";
        run.Environment["AWS_ACCESS_KEY_ID"] = lab.Key.AccessKeyId;
        run.Environment["AWS_SECRET_ACCESS_KEY"] = lab.Key.SecretAccessKey;
        try
        {
            // Given Up and Register in token mode, with a job image that has no helper
            await run.UpAndRegisterAsync(cancel);
            var noHelper = await Cli.RunAsync("docker", ["run", "--rm", "--pull", "never", "--network", "none", muslCli, "sh", "-c", "command -v docker-credential-ecr-login"], cancel);
            Assert.NotEqual(0, noHelper.ExitCode);

            // When SmokeTest runs, then both levels pass, the DinD level with the refresher's tokens and no AWS value in the job
            var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var text = smoke.Output + smoke.Error;
            output.WriteLine(text);
            Assert.True(smoke.Succeeded, text);
            Assert.Matches(@"executor \(image:\)\s+pass", text);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+pass .* with the refresher's tokens; the job holds no AWS value", text);
            var configFile = Path.Combine(run.State, "runner", "config", "config.toml");
            var config = File.ReadAllText(configFile);
            Assert.DoesNotContain("docker-credential-ecr-login:ro", config);
            Assert.DoesNotContain("AWS_", config);
            Assert.False(File.Exists(Path.Combine(run.State, "runner", "jobs", "credentials")), "token mode writes no jobs' credentials file");
            await SmokeTestTests.AssertNothingLeftAsync(run.Project, cancel);

            // When the registry refuses the token in config.json (replaced by one it does not know, the status still fresh),
            // then the DinD level fails naming the refresher's token
            var tokens = Path.Combine(run.State, "runner", "dind-token", "docker", "config.json");
            var good = File.ReadAllText(tokens);
            var registry = lab.Registries[0];
            File.WriteAllText(tokens + ".refused", $"{{\"auths\": {{\"{registry.Host}\": {{\"auth\": \"{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("AWS:refused-token"))}\"}}}}}}\n");
            File.Move(tokens + ".refused", tokens, overwrite: true);
            var refused = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var refusedText = refused.Output + refused.Error;
            output.WriteLine(refusedText);
            Assert.False(refused.Succeeded, refusedText);
            Assert.Matches(@"DinD \(docker pull in a job\)\s+FAIL .*docker pull \S+ in the job failed \(exit 1\) with the refresher's token", refusedText);
            Assert.Contains("\"unauthorized\" means the registry refused the token in config.json", refusedText);
            File.WriteAllText(tokens + ".good", good);
            File.Move(tokens + ".good", tokens, overwrite: true);

            // When config.toml mounts credentials into the jobs again (a volume of the user's), then SmokeTest fails the DinD level and says where
            var credentials = Path.Combine(lab.NewFolder("job-credentials"), "credentials");
            lab.WriteCredentials(credentials, lab.Key.SecretAccessKey);
            File.WriteAllText(configFile, config.Replace("volumes = [", $"volumes = [\"{credentials}:/var/run/aws-credentials:ro\", ", StringComparison.Ordinal));
            var exposed = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
            var exposedText = exposed.Output + exposed.Error;
            output.WriteLine(exposedText);
            Assert.False(exposed.Succeeded, exposedText);
            Assert.Contains($"DIND_AUTH=token, but the job container holds AWS credentials: {credentials} (mounted at /var/run/aws-credentials) holds an AWS value", exposedText);
            Assert.Contains("Fix (DinD (docker pull in a job)): run ./build.sh --target=Register, which gives token-mode jobs only the token folder", exposedText);

            // And no output holds the secret key, a token or the runner token
            foreach (var form in Build.Secrets.SecretForms.Of(lab.Key.SecretAccessKey).Concat(lab.Registries.SelectMany(r => Build.Secrets.SecretForms.Of(r.Ecr.Password))))
            {
                Assert.False((text + refusedText + exposedText).Contains(form, StringComparison.Ordinal), "a secret or a token was printed");
            }

            Assert.DoesNotContain(runner.Token, text + refusedText + exposedText);
            await SmokeTestTests.AssertNothingLeftAsync(run.Project, cancel);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rmi", muslCli], CancellationToken.None);
        }
    }

    [HelperArchiveFact]
    public async Task A_stopped_refresher_fails_the_DinD_level_with_its_cause_Status_says_it_is_stale_and_Up_starts_it_again()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-stale", cancel);
        var (gitlab, run, runner) = stack;
        await run.UpAndRegisterAsync(cancel);

        // Given the refresher stopped (its config.json still holds a token that has not expired)
        var refresher = (await Cli.DockerAsync("find the refresher", cancel, "ps", "--quiet", "--filter", $"label=com.docker.compose.project={run.Project}", "--filter", "label=com.docker.compose.service=ecr-token")).Output.Trim();
        await Cli.DockerAsync("stop the refresher", cancel, "stop", "--time", "5", refresher);

        // When SmokeTest runs, then the DinD level fails before it starts anything, naming the cause and the fix; the executor level passes
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);
        Assert.False(smoke.Succeeded, text);
        Assert.Matches(@"executor \(image:\)\s+pass", text);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+FAIL\s+0\.0 s\s+not run: the DinD token refresher \(service ecr-token\) is exited, so nothing renews the jobs' config.json; its token for \S+ expires at ", text);
        Assert.Contains("Fix (DinD (docker pull in a job)): run ./build.sh --target=Up: it starts the token refresher", text);
        await SmokeTestTests.AssertNothingLeftAsync(run.Project, cancel);

        // And Status shows it stale
        var status = await run.RunAsync(cancel, "--target=Status", "--exclusive");
        Assert.Contains("dind auth    DIND_AUTH=token, refresher exited; last refresh ok", status.Output);
        Assert.Contains("dind token   STALE: the DinD token refresher (service ecr-token) is exited", status.Output);

        // When Up runs, it starts the refresher again (not a no-op), and SmokeTest passes
        var up = await run.RunAsync(cancel, "--target=Up", "--exclusive");
        Assert.True(up.Succeeded, up.Output + up.Error);
        Assert.DoesNotContain("Skipping task Up", up.Output);
        var again = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        Assert.True(again.Succeeded, again.Output + again.Error);
        Assert.DoesNotContain(runner.Token, text + status.Output + up.Output + again.Output);
    }

    [HelperArchiveFact]
    public async Task A_wrong_secret_fails_the_next_refresh_and_SmokeTest_names_it_as_the_DinD_levels_cause()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        await using var gitlab = await GitLabEmulator.StartNewAsync(cancel: cancel);
        await using var run = new UpRun(lab, "smoke-refail");
        run.UseGitLab(gitlab);
        run.UseSmokeTestStandIns();
        run.Environment["DIND_TOKEN_REFRESH"] = "5s";
        await run.UpAndRegisterAsync(cancel);

        // Given a wrong secret written into the mounted credentials file (in place: the containers see it)
        lab.WriteCredentials(run.CredentialsFile, "wrong-" + lab.Key.SecretAccessKey);
        var statusFile = Path.Combine(run.State, "runner", "dind-token", "status.json");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.ReadAllText(statusFile).Contains("\"result\": \"failed\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the refresher did not fail within 60 s");
            await Task.Delay(500, cancel);
        }

        // When SmokeTest runs
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);

        // Then the DinD level fails with the refresher's cause (from the helper's log) and the fix of that cause
        Assert.False(smoke.Succeeded, text);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+FAIL .*not run: the last refresh of the DinD token for \S+ failed at .*InvalidSignatureException", text);
        Assert.Contains("Fix (DinD (docker pull in a job)): wrong secret access key: copy the secret access key again", text);
        var status = JsonDocument.Parse(File.ReadAllText(statusFile)).RootElement;
        Assert.True(status.GetProperty("last_success_at").GetInt64() > 0, "the last success is kept");
        Assert.DoesNotContain(lab.Key.SecretAccessKey, text);
    }
}
