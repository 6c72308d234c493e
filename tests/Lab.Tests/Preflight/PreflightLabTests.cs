using System.Text;

namespace Lab.Preflight;

/// <summary>Preflight and StageCredentials of the real build against the lab: STS and ECR emulated, the real helper.</summary>
[Collection(LabServerCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PreflightLabTests(LabFixture lab)
{
    [Fact]
    public async Task A_good_file_passes_preflight_for_both_registries_with_the_staged_key()
    {
        var build = new LabBuild(lab);
        build.WriteCredentials();
        var before = lab.Emulator.Requests.Snapshot().Count;

        var result = await build.RunAsync("--target=Preflight");

        Assert.True(result.Succeeded, result.Output + All(result));
        Assert.Contains($"STS: account {lab.Key.AccountId}, {lab.Key.Arn}", result.Output);
        foreach (var registry in lab.Registries)
        {
            Assert.Matches($@"helper: {registry.Host.Replace(".", @"\.")}: token obtained, expires \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in 12 h\)", result.Output);
        }

        // Two accounts: the second registry is another account's, which needs a repository policy.
        Assert.Contains($"{lab.Registries[1].Host} belongs to account {lab.Registries[1].Ecr.AccountId}, the credentials to {lab.Key.AccountId}", result.Output);
        var calls = lab.Emulator.Requests.Snapshot().Skip(before).ToList();
        var sts = Assert.Single(calls, c => c.Operation == "GetCallerIdentity");
        Assert.Equal((lab.Key.AccessKeyId, build.StsRegion, AwsRequestLog.Ok), (sts.AccessKeyId, sts.Region, sts.Outcome));
        foreach (var registry in lab.Registries)
        {
            var ecr = Assert.Single(calls, c => c.Operation == "GetAuthorizationToken" && c.Region == registry.Ecr.Region);
            Assert.Equal((lab.Key.AccessKeyId, AwsRequestLog.Ok), (ecr.AccessKeyId, ecr.Outcome));
            Assert.Equal([registry.Ecr.AccountId], ecr.RegistryIds);
        }

        AssertNoSecret(build.Printed);
    }

    [Fact]
    public async Task Environment_source_gives_the_helper_the_keys_through_its_environment_only()
    {
        var build = new LabBuild(lab);
        build.Environment["CREDENTIALS_SOURCE"] = "environment";
        build.Environment["RUNNER_CREDENTIALS_FILE"] = string.Empty;
        build.Environment["AWS_ACCESS_KEY_ID"] = lab.Key.AccessKeyId;
        build.Environment["AWS_SECRET_ACCESS_KEY"] = lab.Key.SecretAccessKey;
        build.Environment["AWS_REGION"] = build.StsRegion;
        var before = lab.Emulator.Requests.Snapshot().Count;

        var result = await build.RunAsync("--target=StageCredentials");

        Assert.True(result.Succeeded, All(result));
        Has(result, "runner and DinD token refresher environment: ");
        Has(result, "DinD jobs get none of these (DIND_AUTH=token)");
        Has(result, "jobs: DIND_AUTH=token: DinD jobs read only ECR tokens");
        Has(result, "AWS_SECRET_ACCESS_KEY=***");
        Assert.Equal(2, lab.Emulator.Requests.Snapshot().Skip(before).Count(c => c.Operation == "GetAuthorizationToken" && c.AccessKeyId == lab.Key.AccessKeyId && c.Succeeded));
        Assert.False(File.Exists(Path.Combine(build.Root, ".env.local")), "the environment source writes no file");
        AssertNoSecret(build.Printed);
    }

    [Fact]
    public async Task Crlf_bom_and_a_non_default_profile_are_accepted_and_the_helper_signs_with_that_profiles_key()
    {
        var build = new LabBuild(lab);
        const string decoy = "AKIDDECOYKEY00000000";
        var good = $"[ci-runner]\r\naws_access_key_id = {lab.Key.AccessKeyId}\r\naws_secret_access_key = {lab.Key.SecretAccessKey}\r\nregion = {build.StsRegion}\r\n";
        File.WriteAllText(build.CredentialsFile, $"\uFEFF# team file\r\n[default]\r\naws_access_key_id = {decoy}\r\naws_secret_access_key = decoy-secret-0123456789\r\n\r\n{good}");
        File.SetUnixFileMode(build.CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        build.Environment["AWS_PROFILE"] = "ci-runner";
        var before = lab.Emulator.Requests.Snapshot().Count;

        var result = await build.RunAsync("--target=StageCredentials");

        Assert.True(result.Succeeded, result.Output + All(result));
        Assert.Contains($"runner and DinD token refresher mount {build.CredentialsFile}:/root/.aws/credentials:ro", result.Output);
        Assert.Contains("AWS_PROFILE=ci-runner", result.Output);
        var calls = lab.Emulator.Requests.Snapshot().Skip(before).ToList();
        Assert.Equal(2, calls.Count(c => c.Operation == "GetAuthorizationToken" && c.AccessKeyId == lab.Key.AccessKeyId && c.Succeeded));
        Assert.DoesNotContain(calls, c => c.AccessKeyId == decoy);
        AssertNoSecret(build.Printed);
    }

    [Fact]
    public async Task A_wrong_secret_is_caught_by_sts_and_by_the_helper_with_the_fix_and_a_redacted_log_copy()
    {
        var build = new LabBuild(lab);
        var wrong = lab.Key.SecretAccessKey + "x";
        build.WriteCredentials(secret: wrong);
        var file = File.ReadAllBytes(build.CredentialsFile);

        var result = await build.RunAsync("--target=StageCredentials");

        Assert.Equal(1, result.ExitCode);
        Has(result, $"STS GetCallerIdentity at https://sts.{build.StsRegion}.amazonaws.com/ failed, wrong secret access key");
        foreach (var registry in lab.Registries)
        {
            Has(result, $"helper get {registry.Host} ({registry.Ecr.Region}) failed, wrong secret access key");
            var copy = Path.Combine(build.Root, ".state", "preflight", $"ecr-login-{registry.Host}.log");
            Assert.Contains("InvalidSignatureException", File.ReadAllText(copy));
        }

        Has(result, "Fix: copy the secret access key again");
        Assert.Equal(file, File.ReadAllBytes(build.CredentialsFile));
        Assert.DoesNotContain(wrong, build.Printed);
        AssertNoSecret(build.Printed);
    }

    [Fact]
    public async Task An_unknown_key_id_is_named_as_such_by_sts_and_by_the_helper()
    {
        var build = new LabBuild(lab);
        build.WriteCredentials(keyId: "AKIDUNKNOWNKEY000000");

        var result = await build.RunAsync("--target=Preflight");

        Assert.Equal(1, result.ExitCode);
        Has(result, "STS GetCallerIdentity at");
        Assert.Equal(3, CountOf(All(result), "failed, unknown access key id"));
        Has(result, "InvalidClientTokenId");
        Has(result, "UnrecognizedClientException");
        Assert.DoesNotContain("AKIDUNKNOWNKEY000000", build.Printed);
    }

    [Fact]
    public async Task An_expired_session_token_is_named_as_such_by_sts_and_by_the_helper()
    {
        var build = new LabBuild(lab);
        var key = new AwsKey("ASIDLABEXPIRED" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)), "expired-secret/0123456789abcdef", lab.Key.AccountId, lab.Key.Arn, SessionToken: "IQoJexpiredSessionToken0123456789", SessionExpired: true);
        lab.Emulator.SetKey(key);
        File.WriteAllText(build.CredentialsFile, $"[default]\naws_access_key_id = {key.AccessKeyId}\naws_secret_access_key = {key.SecretAccessKey}\naws_session_token = {key.SessionToken}\nregion = {build.StsRegion}\n");
        File.SetUnixFileMode(build.CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await build.RunAsync("--target=Preflight");

        Assert.Equal(1, result.ExitCode);
        Assert.True(CountOf(All(result), "failed, expired session token") == 3, All(result));
        Has(result, "Fix: get fresh temporary credentials");
        Assert.DoesNotContain(key.SessionToken!, build.Printed);
        Assert.DoesNotContain(key.AccessKeyId, build.Printed);
    }

    [Fact]
    public async Task An_identity_without_ecr_rights_passes_sts_and_is_named_access_denied_by_the_helper()
    {
        var build = new LabBuild(lab);
        var key = lab.Key with { AccessKeyId = "AKIDLABDENIED" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)), MayGetEcrToken = false };
        lab.Emulator.SetKey(key);
        build.WriteCredentials(keyId: key.AccessKeyId);

        var result = await build.RunAsync("--target=Preflight");

        Assert.Equal(1, result.ExitCode);
        Has(result, $"STS: account {key.AccountId}, {key.Arn}");
        Assert.True(CountOf(All(result), "failed, access denied") == 2, All(result));
        Has(result, "attach a policy that allows ecr:GetAuthorizationToken");
    }

    [Fact]
    public async Task An_unreachable_sts_endpoint_is_named_with_its_fix()
    {
        var build = new LabBuild(lab);
        build.WriteCredentials();
        build.Environment["STS_ENDPOINT"] = "https://127.0.0.1:9/";

        var result = await build.RunAsync("--target=Preflight");

        Assert.Equal(1, result.ExitCode);
        Has(result, "STS GetCallerIdentity at https://127.0.0.1:9/ failed, no route or DNS");
        Has(result, "set STS_ENDPOINT for a VPC endpoint");
        Assert.Equal(0, CountOf(All(result), "helper get "));
    }

    [Fact]
    public async Task A_ca_bundle_without_the_endpoints_ca_is_named_as_tls_trust_by_sts_and_the_helper()
    {
        var build = new LabBuild(lab);
        build.WriteCredentials();
        using var other = TestCertificateAuthority.Create("another CA");
        var bundle = Path.Combine(lab.NewFolder("other-ca"), "ca.pem");
        other.WriteCertificatePem(bundle);
        build.Environment["AWS_CA_BUNDLE"] = bundle;

        var result = await build.RunAsync("--target=Preflight");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, CountOf(All(result), "failed, TLS trust"));
        Has(result, "set AWS_CA_BUNDLE to a PEM bundle");
    }

    [Fact]
    public async Task Every_target_with_known_secrets_prints_none_of_them_anywhere()
    {
        var build = new LabBuild(lab);
        build.WriteCredentials();
        build.Environment["GITLAB_TOKEN"] = "glpat-lableak0123456789ab";
        build.Environment["GITLAB_RUNNER_TOKEN"] = "glrt-lableak0123456789abcd";
        // Every target the build has (a target added later is searched too), with what each needs to start:
        // SmokeTest refuses to run without an image, and GitLab is a closed loopback port so nothing leaves.
        build.Environment["PRIVATE_ECR_IMAGE"] = lab.Registries[0].PrivateImage;
        build.Environment["GITLAB_URL"] = "http://127.0.0.1:9";
        // Mirror needs rules and an image; with the rules, Preflight's signed DescribePullThroughCacheRules is searched too.
        build.Environment["PULL_THROUGH_CACHE"] = $"{LabFixture.DockerHubPrefix}=registry-1.docker.io";
        build.Environment["MIRROR_IMAGE"] = "alpine:3.20";
        // Diagnose reads a runner's config.toml holding the runner token, the staged key and an ECR token.
        var config = Path.Combine(lab.NewFolder("diagnose"), "config.toml");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + lab.Registries[0].Ecr.Password));
        File.WriteAllText(config, $"[[runners]]\n  name = \"leak\"\n  url = \"http://127.0.0.1:9\"\n  token = \"glrt-lableak0123456789abcd\"\n  executor = \"docker\"\n"
            + $"  environment = [\"AWS_ACCESS_KEY_ID={lab.Key.AccessKeyId}\", \"AWS_SECRET_ACCESS_KEY={lab.Key.SecretAccessKey}\", \"DOCKER_AUTH_CONFIG={{\\\"auths\\\":{{\\\"{lab.Registries[0].Host}\\\":{{\\\"auth\\\":\\\"{auth}\\\"}}}}}}\"]\n"
            + "  [runners.docker]\n    image = \"docker:29-cli\"\n    privileged = true\n");
        build.Environment["DIAGNOSE_CONFIG"] = config;
        var targets = Build.Host.TaskCatalog.Create(Build.Host.TaskCatalog.TypesIn(typeof(Build.BuildContext).Assembly)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("Status", targets);

        foreach (var target in targets)
        {
            var result = await build.RunAsync("--target=" + target, "--verbosity=diagnostic");
            Assert.True(result.ExitCode is 0 or 1, $"{target}: {result.Output}{result.Error}");
        }

        // A failing helper too: its log copy is part of what is searched.
        build.WriteCredentials(secret: lab.Key.SecretAccessKey + "y");
        await build.RunAsync("--target=Preflight", "--verbosity=diagnostic");
        var copies = Path.Combine(build.Root, ".state", "preflight");
        Assert.True(Directory.Exists(copies) && Directory.GetFiles(copies).Length == 2, build.Printed);

        AssertNoSecret(build.Printed);
        Assert.DoesNotContain("glpat-lableak0123456789ab", build.Printed);
        Assert.DoesNotContain("glrt-lableak0123456789abcd", build.Printed);
        Assert.DoesNotContain(lab.Key.SecretAccessKey + "y", build.Printed);
    }

    /// <summary>The staged key id and secret, and every registry's ECR token (its password and the base64 token), appear nowhere.</summary>
    private void AssertNoSecret(string printed)
    {
        Assert.DoesNotContain(lab.Key.AccessKeyId, printed);
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed);
        foreach (var registry in lab.Registries)
        {
            Assert.DoesNotContain(registry.Ecr.Password, printed);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + registry.Ecr.Password)), printed);
        }
    }

    private static string All(ProcessResult result) => result.Output + result.Error;

    private static void Has(ProcessResult result, string part) => Assert.True(All(result).Contains(part, StringComparison.Ordinal), $"missing: {part}\nin:\n{All(result)}");

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
