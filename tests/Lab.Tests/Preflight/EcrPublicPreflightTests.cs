using System.Text;

namespace Lab.Preflight;

/// <summary>
/// ECR Public and the pull-through cache against the lab, with the real helper 0.8.0: Preflight gets ECR Public's token
/// from the emulator (us-east-1, service ecr-public), checks the first registry's rules with the build's own signed
/// DescribePullThroughCacheRules, and asks the registry for the probe image through the docker-hub prefix (the
/// registry holds it already: the import is not emulated). The host needs ECR Public's global names, so the class
/// claims them (<see cref="PublicNamesClaim"/>).
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class EcrPublicPreflightTests(LabFixture lab, PublicNamesClaim names, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PublicNamesClaim>
{
    private async Task<LabBuild> BuildAsync(CancellationToken cancel)
    {
        await names.ClaimAsync(lab, cancel);
        var build = new LabBuild(lab);
        build.WriteCredentials();
        build.Environment["HELPER_PATH"] = await LabHelper.Amd64Async();
        build.Environment["ECR_REGISTRIES"] = string.Join(',', [.. lab.Registries.Select(r => r.Host), LabPublicRegistry.Host]);
        build.Environment["PULL_THROUGH_CACHE"] = $"{LabFixture.DockerHubPrefix}=registry-1.docker.io,{LabFixture.EcrPublicPrefix}={LabPublicRegistry.Host}";
        build.Environment["PULL_THROUGH_REGISTRY"] = lab.Registries[0].Host;
        build.Environment["PULL_THROUGH_PROBE_IMAGE"] = "hello:latest";
        build.Environment["REGISTRY_CA_BUNDLE"] = lab.CaPath;
        return build;
    }

    [HelperArchiveFact]
    public async Task Preflight_gets_ECR_Publics_token_checks_each_rule_and_pulls_the_probe_through_the_cache()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var build = await BuildAsync(timeout.Token);
        var before = lab.Emulator.Requests.Snapshot().Count;

        // When Preflight runs with ECR Public and two rules configured
        var result = await build.RunAsync("--target=Preflight");
        var text = result.Output + result.Error;
        output.WriteLine(text);

        // Then ECR Public's token came from the emulator's ECR Public in us-east-1, signed with the staged key
        Assert.True(result.Succeeded, text);
        Assert.Matches(@"helper: public\.ecr\.aws: token obtained, expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in 12 h\)", text);
        var calls = lab.Emulator.Requests.Snapshot().Skip(before).ToList();
        var token = Assert.Single(calls, c => c.Service == "ecr-public");
        Assert.Equal(("GetAuthorizationToken", "us-east-1", lab.Key.AccessKeyId, AwsRequestLog.Ok), (token.Operation, token.Region, token.AccessKeyId, token.Outcome));
        Assert.Contains("api/ecrpublic#", token.UserAgent);
        Assert.DoesNotContain("public.ecr.aws belongs to account", text);

        // And each rule was described by a signed call the emulator verified, and the probe's manifest came through the prefix
        var described = calls.Where(c => c.Operation == "DescribePullThroughCacheRules").ToList();
        Assert.Equal(2, described.Count);
        Assert.All(described, c => Assert.Equal((lab.Registries[0].Ecr.Region, AwsRequestLog.Ok, lab.Registries[0].Ecr.AccountId), (c.Region, c.Outcome, Assert.Single(c.RegistryIds))));
        Assert.Contains($"pull-through: rule docker-hub -> registry-1.docker.io, secret ecr-pullthroughcache/docker-hub-Ab12Cd", text);
        Assert.Contains("pull-through: rule ecr-public -> public.ecr.aws", text);
        Assert.Matches($@"pull-through: {Escape(lab.Registries[0].PullThroughImage)}: manifest sha256:[0-9a-f]{{64}} \(through docker-hub from registry-1\.docker\.io\)", text);
        Assert.Contains("pull-through cache ", text);
        AssertNoSecret(build.Printed);
    }

    [HelperArchiveFact]
    public async Task Preflight_names_ECR_Publics_two_actions_a_missing_rule_and_an_image_the_upstream_lacks()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var build = await BuildAsync(timeout.Token);

        // Given an identity without sts:GetServiceBearerToken, a rule the registry lacks, and a probe tag nobody has
        var key = lab.Key with { AccessKeyId = "AKIDLABNOBEARER" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)), MayGetServiceBearerToken = false };
        lab.Emulator.SetKey(key);
        build.WriteCredentials(keyId: key.AccessKeyId);
        build.Environment["PULL_THROUGH_CACHE"] += ",ghcr=ghcr.io";
        build.Environment["PULL_THROUGH_PROBE_IMAGE"] = "hello:no-such-tag";

        // When Preflight runs
        var result = await build.RunAsync("--target=Preflight");
        var text = result.Output + result.Error;
        output.WriteLine(text);

        // Then it fails, naming each cause with its fix; the private registries' tokens were fine
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("helper get public.ecr.aws (ECR Public, us-east-1) failed, access denied: the identity is valid but may not get an ECR Public token, which needs both ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken", text);
        Assert.Contains("sts:GetServiceBearerToken", text);
        Assert.Contains($"pull-through rule ghcr of {lab.Registries[0].Host} does not exist (PullThroughCacheRuleNotFoundException", text);
        Assert.Contains($"Fix: create it: aws ecr create-pull-through-cache-rule --ecr-repository-prefix ghcr --upstream-registry-url ghcr.io --region {lab.Registries[0].Ecr.Region} --credential-arn", text);
        Assert.Contains($"pull-through probe {lab.Registries[0].Host}/docker-hub/library/hello:no-such-tag failed: no image registry-1.docker.io/library/hello:no-such-tag upstream", text);
        Assert.Contains("MANIFEST_UNKNOWN", text);
        foreach (var registry in lab.Registries)
        {
            Assert.Contains($"helper: {registry.Host}: token obtained", text);
        }

        Assert.DoesNotContain(key.AccessKeyId, build.Printed);
        AssertNoSecret(build.Printed);
    }

    [HelperArchiveFact]
    public async Task An_identity_that_may_not_describe_rules_gets_a_warning_and_the_probe_still_proves_the_cache()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var build = await BuildAsync(timeout.Token);
        var key = lab.Key with { AccessKeyId = "AKIDLABNODESCRIBE" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)), MayDescribePullThroughCacheRules = false };
        lab.Emulator.SetKey(key);
        build.WriteCredentials(keyId: key.AccessKeyId);

        var result = await build.RunAsync("--target=Preflight");
        var text = result.Output + result.Error;
        output.WriteLine(text);

        Assert.True(result.Succeeded, text);
        Assert.Contains($"the pull-through rules (docker-hub, ecr-public) of {lab.Registries[0].Host} could not be checked: the identity may not call ecr:DescribePullThroughCacheRules", text);
        Assert.Matches($@"pull-through: {Escape(lab.Registries[0].PullThroughImage)}: manifest sha256:", text);
        AssertNoSecret(build.Printed);
    }

    [HelperArchiveFact]
    public async Task The_host_daemon_pulls_the_ECR_Public_image_with_the_helpers_token_and_the_lab_refuses_it_anonymously()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var registry = await names.ClaimAsync(lab, timeout.Token);
        names.PulledImages.Add(registry.Image);
        var cache = lab.NewFolder("helper-cache");
        var environment = LabClient.HelperEnvironment(lab, lab.CredentialsFile, cache);
        await Cli.RunAsync("docker", ["rmi", "-f", registry.Image], timeout.Token);

        // When the host daemon pulls anonymously, then with a credHelpers entry for public.ecr.aws
        var anonymous = await LabClient.DockerAsync(environment, timeout.Token, "--config", lab.NewFolder("empty-config"), "pull", registry.Image);
        var before = lab.Emulator.Requests.Count(operation: "GetAuthorizationToken", outcome: AwsRequestLog.Ok);
        var withHelper = await LabClient.DockerAsync(environment, timeout.Token, "--config", LabClient.CredHelpersConfig(lab, [LabPublicRegistry.Host]), "pull", registry.Image);

        // Then the lab's stand-in refuses the anonymous pull (real ECR Public would serve it, at the anonymous quota), and
        // the helper's token, fetched from ECR Public's API, pulls it
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("no basic auth credentials", anonymous.Error);
        Assert.True(withHelper.Succeeded, $"pull with credHelpers failed: {withHelper.Error} / helper log: {LabClient.HelperLog(cache)}");
        Assert.True(lab.Emulator.Requests.Snapshot().Count(r => r.Service == "ecr-public" && r.Succeeded) > 0 && lab.Emulator.Requests.Count(operation: "GetAuthorizationToken", outcome: AwsRequestLog.Ok) > before, lab.Emulator.Requests.ToString());
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private void AssertNoSecret(string printed)
    {
        Assert.DoesNotContain(lab.Key.AccessKeyId, printed);
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed);
        foreach (var password in lab.Registries.Select(r => r.Ecr.Password).Append(lab.PublicPassword))
        {
            Assert.DoesNotContain(password, printed);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)), printed);
        }
    }
}
