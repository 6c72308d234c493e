using System.Xml.Linq;
using Xunit.Abstractions;

namespace Lab.SmokeTest;

/// <summary>
/// SmokeTest with an ECR Public image and a pull-through image besides the private one, after a real Up and Register
/// with the real helper 0.8.0: one row per image and level, the example pipeline's cached-image job in pipeline mode,
/// and an identity without ECR Public's rights failing those rows alone. The host daemon pulls public.ecr.aws, so the
/// class claims ECR Public's global names; the containers get them through extra hosts and the lab network.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class EcrPublicSmokeTests(LabFixture lab, PublicNamesClaim names, ITestOutputHelper output) : IClassFixture<PublicNamesClaim>
{
    [HelperArchiveFact]
    public async Task SmokeTest_pulls_the_ECR_Public_and_the_pull_through_image_at_both_levels_and_names_ECR_Publics_actions_when_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancel = timeout.Token;
        var registry = await names.ClaimAsync(lab, cancel);
        names.PulledImages.Add(registry.Image);
        await using var stack = await SmokeStack.StartAsync(lab, "smoke-public", cancel);
        var (gitlab, run, runner) = stack;
        var (_, token) = run.UsePipelineMode(gitlab);
        run.Environment["RUNNER_EXTRA_HOSTS"] += $",{LabPublicRegistry.ApiHost}:{lab.Gateway}";
        run.Environment["PUBLIC_ECR_IMAGE"] = registry.Image;
        run.Environment["PULL_THROUGH_CACHE"] = $"{LabFixture.DockerHubPrefix}=registry-1.docker.io";
        run.Environment["PULL_THROUGH_PROBE_IMAGE"] = "hello:latest";
        await Cli.RunAsync("docker", ["rmi", "-f", registry.Image, lab.Registries[0].PullThroughImage], cancel);

        // Given the runner up and registered: config.toml names public.ecr.aws beside the private registries
        await run.UpAndRegisterAsync(cancel);
        var config = File.ReadAllText(Path.Combine(run.State, "runner", "config", "config.toml"));
        Assert.Contains("\\\"public.ecr.aws\\\":\\\"ecr-login\\\"", config);
        var publicCalls = lab.Emulator.Requests.Snapshot().Count(r => r.Service == "ecr-public" && r.Succeeded);

        // When SmokeTest runs
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var text = smoke.Output + smoke.Error;
        output.WriteLine(text);

        // Then each image passes at both levels (the lab's public registry refuses anonymous pulls): the executor level
        // with the helper's token, got during SmokeTest; the DinD level with the refresher's, got at Up
        Assert.True(smoke.Succeeded, text);
        Assert.Matches(@"executor \(image:\)\s+pass", text);
        Assert.Matches($@"executor \(image:\), ECR Public\s+pass .*pull of {Escape(registry.Image)} through the host daemon", text);
        Assert.Matches($@"executor \(image:\), pull-through\s+pass .*pull of {Escape(lab.Registries[0].PullThroughImage)}", text);
        Assert.Matches($@"DinD \(docker pull in a job\), ECR Public\s+pass .*docker pull {Escape(registry.Image)} in .* \(TLS\)", text);
        Assert.Matches(@"DinD \(docker pull in a job\), pull-through\s+pass", text);
        Assert.Matches(@"pipeline: test-pull-through-pull\s+pass", text);
        Assert.True(lab.Emulator.Requests.Snapshot().Count(r => r.Service == "ecr-public" && r.Succeeded) > publicCalls, lab.Emulator.Requests.ToString());
        Assert.Contains("\"public.ecr.aws\"", File.ReadAllText(Path.Combine(run.State, "runner", "dind-token", "docker", "config.json")));
        var junit = XDocument.Load(Path.Combine(run.State, "smoketest", "junit.xml"));
        Assert.Equal(9, junit.Descendants("testcase").Count());
        Assert.Empty(junit.Descendants("failure"));
        var pipeline = File.ReadAllText(Path.Combine(run.State, "pipeline", ".gitlab-ci.yml"));
        Assert.Contains($"  image: \"{lab.Registries[0].PullThroughImage}\"", pipeline);

        // When the identity loses sts:GetServiceBearerToken (ECR Public's token needs it)
        var key = lab.Key with { AccessKeyId = "AKIDLABNOBEARER" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)), MayGetServiceBearerToken = false };
        lab.Emulator.SetKey(key);
        File.WriteAllText(run.CredentialsFile, $"[default]\naws_access_key_id = {key.AccessKeyId}\naws_secret_access_key = {key.SecretAccessKey}\n");
        var refused = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        var refusedText = refused.Output + refused.Error;
        output.WriteLine(refusedText);

        // Then the executor's ECR Public row alone fails, naming both actions; the private and pull-through rows still
        // pass, and so does DinD's ECR Public row: the refresher's token, got at Up, stays good for 12 hours
        Assert.Equal(1, refused.ExitCode);
        Assert.Matches(@"executor \(image:\), ECR Public\s+FAIL\s+\S+ s\s+access denied \(AccessDenied: sts:GetServiceBearerToken\) for public\.ecr\.aws", refusedText);
        Assert.Matches(@"DinD \(docker pull in a job\), ECR Public\s+pass .* with the refresher's tokens", refusedText);
        Assert.Contains("Fix (executor (image:), ECR Public): allow ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken", refusedText);
        Assert.Matches(@"executor \(image:\), pull-through\s+pass", refusedText);
        Assert.Matches(@"DinD \(docker pull in a job\)\s+pass", refusedText);
        foreach (var secret in new[] { token, runner.Token, lab.Key.SecretAccessKey, lab.PublicPassword, key.AccessKeyId })
        {
            Assert.DoesNotContain(secret, text + refusedText);
        }
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
