using Build.RunnerConfig;
using Tomlyn.Model;
using static Build.Tests.RunnerConfig.ConfigTomlTests;

namespace Build.Tests.RunnerConfig;

/// <summary>
/// The runner entry in token mode (DIND_AUTH=token, the default): jobs mount the refresher's folder read-only and point
/// DOCKER_CONFIG at it, and get no credentials, no helper and no AWS variable; switching modes rewrites only what
/// Register owns.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TokenModeEntryTests
{
    private static readonly string Golden = Path.Combine(TestRepository.Root(), "tests", "Build.Tests", "RunnerConfig", "Golden");

    private static Build.Settings.BuildSettings Token(Dictionary<string, string>? more = null) =>
        ConfigTomlTests.Settings(new(more ?? []) { ["DIND_AUTH"] = "token" });

    private static List<string> Volumes(string toml) => [.. ((TomlArray)((TomlTable)OurRunner(toml)["docker"])["volumes"]).Cast<string>()];

    private static List<string> Variables(string toml) => [.. ((TomlArray)OurRunner(toml)["environment"]).Cast<string>()];

    [Fact]
    public void A_fresh_token_mode_entry_matches_the_golden_file_and_gives_jobs_only_the_token_folder()
    {
        // Given token mode, when the entry is merged into no file
        var merged = ConfigToml.Merge(null, Entry(Token()));

        // Then the text is the golden file's
        var expectedPath = Path.Combine(Golden, "token.expected.toml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, merged);
        }

        Assert.Equal(File.ReadAllText(expectedPath), merged);

        // And, as data: the token folder read-only, DinD's certificates and the cache, nothing else
        Assert.Equal(["/srv/runner-ecr/.state/runner/dind-token/docker:/etc/gitlab-runner-ecr/docker:ro", "/certs/client", "/cache"], Volumes(merged));

        // And DOCKER_CONFIG points docker at it, buildx keeps its state in the job's own ~/.docker, and no AWS variable
        var variables = Variables(merged);
        Assert.Equal(["DOCKER_AUTH_CONFIG", "DOCKER_CONFIG", "BUILDX_CONFIG"], variables.Select(v => v.Split('=')[0]));
        Assert.Contains("DOCKER_CONFIG=/etc/gitlab-runner-ecr/docker", variables);
        Assert.Contains("BUILDX_CONFIG=/root/.docker/buildx", variables);
        Assert.DoesNotContain("credentials", merged);
        Assert.DoesNotContain("docker-credential-ecr-login", merged);
        Assert.DoesNotContain("AWS_", merged);

        // And the executor level is unchanged: the runner's helper resolves image: through DOCKER_AUTH_CONFIG
        Assert.Equal("ecr-login", AuthConfig(OurRunner(merged)).GetProperty("credHelpers").GetProperty("111111111111.dkr.ecr.eu-west-1.amazonaws.com").GetString());
    }

    [Theory]
    [InlineData("file")]
    [InlineData("environment")]
    [InlineData("instance-role")]
    public void No_source_puts_a_credential_into_a_token_mode_entry(string source)
    {
        // Given each source, with keys in the environment, a region and a CA bundle for AWS
        var settings = Token(new()
        {
            ["CREDENTIALS_SOURCE"] = source, ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEKEY000001", ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCyEXAMPLE01",
            ["AWS_REGION"] = "eu-west-1", ["AWS_CA_BUNDLE"] = "/etc/ssl/proxy.pem",
        });

        // When merged
        var merged = ConfigToml.Merge(null, Entry(settings));

        // Then no key, no credentials file, no AWS variable, no AWS CA bundle: jobs do not call AWS
        Assert.DoesNotContain("AKIAEXAMPLEKEY000001", merged);
        Assert.DoesNotContain("wJalrXUtnFEMI", merged);
        Assert.DoesNotContain("AWS_", merged);
        Assert.DoesNotContain("credentials", merged);
        Assert.DoesNotContain("proxy.pem", merged);
    }

    [Fact]
    public void A_registry_ca_is_still_mounted_for_the_DinD_service_in_token_mode()
    {
        var merged = ConfigToml.Merge(null, Entry(Token(new() { ["REGISTRY_CA_BUNDLE"] = "/etc/ssl/mirror.pem" })));

        Assert.Contains("/etc/ssl/mirror.pem:/etc/docker/certs.d/111111111111.dkr.ecr.eu-west-1.amazonaws.com/ca.crt:ro", Volumes(merged));
        Assert.Contains("/etc/ssl/mirror.pem:/etc/docker/certs.d/222222222222.dkr.ecr.us-east-2.amazonaws.com/ca.crt:ro", Volumes(merged));
    }

    [Fact]
    public void Switching_modes_rewrites_only_the_owned_volumes_and_variables_and_keeps_the_users()
    {
        // Given the runner-rewritten file (with volumes and variables of the user's) merged in helper mode
        var helper = ConfigToml.Merge(File.ReadAllText(Path.Combine(Golden, "runner-rewrote.input.toml")), Entry());
        Assert.Contains("/home/ci/.config/gitlab-runner-ecr/credentials:/root/.aws/credentials:ro", Volumes(helper));

        // When the same file is merged in token mode
        var token = ConfigToml.Merge(helper, Entry(Token()));

        // Then the credentials, the helper, the DinD credHelpers file and the AWS variables are gone, the user's stay
        Assert.Equal(["/srv/runner-ecr/.state/runner/dind-token/docker:/etc/gitlab-runner-ecr/docker:ro", "/certs/client", "/cache", "/srv/ci-data:/data:ro"], Volumes(token));
        Assert.Equal(["DOCKER_AUTH_CONFIG", "DOCKER_CONFIG", "BUILDX_CONFIG", "FF_NETWORK_PER_BUILD"], Variables(token).Select(v => v.Split('=')[0]));
        Assert.Contains("  id = 42\n", token);

        // And switching back restores helper mode's entry exactly
        Assert.Equal(helper, ConfigToml.Merge(token, Entry()));
    }
}
