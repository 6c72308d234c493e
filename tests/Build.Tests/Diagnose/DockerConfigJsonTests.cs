using System.Text;
using Build.Diagnose;
using Build.Secrets;

namespace Build.Tests.Diagnose;

public sealed class DockerConfigJsonTests
{
    private const string Host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    [Fact]
    public void A_parse_error_names_its_line_and_column_and_never_the_text_around_it()
    {
        var redactor = new Redactor();
        var text = "{\n  \"auths\": {\"registry.gitlab.com\": {\"auth\": \"Z2l0bGFiOlMzQ1IzVC1wYXNzd29yZA==\"}},\n  \"credHelpers\": {\"a\": \"b\",}\n}";

        var (config, problem) = DockerConfigJson.Parse(text, redactor, "test");

        Assert.Null(config);
        Assert.StartsWith("it is not valid JSON: line 3, column ", problem);
        Assert.DoesNotContain("Z2l0", problem);
        Assert.DoesNotContain("credHelpers", problem);
    }

    [Fact]
    public void Every_credential_of_a_text_that_is_not_valid_JSON_is_masked_the_password_inside_an_auth_too()
    {
        var redactor = new Redactor();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:S3CR3T-inner-password"));
        var text = $"{{\\\"auths\\\":{{\\\"r\\\":{{\\\"auth\\\":\\\"{auth}\\\",\\\"identitytoken\\\":\\\"S3CR3T-identity\\\"}}}}";

        var (config, _) = DockerConfigJson.Parse(text, redactor, "test");

        Assert.Null(config);
        Assert.Equal("*** *** ***", redactor.Redact($"{auth} S3CR3T-inner-password S3CR3T-identity"));
    }

    [Fact]
    public void An_ECR_password_s_expiry_is_read_from_the_token_itself()
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"payload\":\"x\",\"expiration\":1767225600}"));
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + payload));

        var (config, _) = DockerConfigJson.Parse($"{{\"auths\":{{\"https://{Host}\":{{\"auth\":\"{auth}\"}},\"other.example\":{{\"username\":\"u\",\"password\":\"plain-S3CR3T\"}}}}}}", new Redactor(), "test");

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), config!.Auths.Single(a => a.Host == Host).Expires);
        Assert.Null(config.Auths.Single(a => a.Host == "other.example").Expires);
    }

    [Theory]
    [InlineData("{\\\"credHelpers\\\":{}}", "at a backslash; it holds backslash-escaped quotes")]
    [InlineData("{'credHelpers': {}}", "at a single quote; JSON needs double quotes")]
    [InlineData("{\"credHelpers\": {\"a\": \"ecr-login\"}", "at the end of the text (it stops early")]
    public void A_one_line_value_names_the_character_where_it_breaks_and_the_likely_reason(string text, string said)
    {
        var (_, problem) = DockerConfigJson.Parse(text, new Redactor(), "test");

        Assert.Contains(said, problem);
    }

    [Theory]
    [InlineData(Host, null)]
    [InlineData("https://" + Host + "/v2/", null)]
    [InlineData("public.ecr.aws", null)]
    [InlineData("123456789012.dkr-ecr.eu-west-1.on.aws", null)]
    [InlineData("*.dkr.ecr.eu-west-1.amazonaws.com", "is a wildcard")]
    [InlineData(Host + ":443", "has a port")]
    [InlineData("12345678901.dkr.ecr.eu-west-1.amazonaws.com", "looks like an ECR host but is not one the helper accepts")]
    [InlineData("registry.gitlab.com", "is not an ECR registry")]
    public void A_credHelpers_key_for_the_ECR_helper_is_one_it_serves_or_says_why_not(string key, string? problem)
    {
        var said = RegistryHosts.Problem(key);

        if (problem is null)
        {
            Assert.Null(said);
        }
        else
        {
            Assert.Contains(problem, said);
        }
    }

    [Theory]
    [InlineData("123456789012.dkr-ecr.eu-west-1.on.aws", "0.10.0")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.eu", "0.11.0")]
    [InlineData("ecr-public.aws.com", "0.12.0")]
    [InlineData(Host, null)]
    public void A_host_names_the_helper_release_that_first_accepts_it(string host, string? since) =>
        Assert.Equal(since, RegistryHosts.Needs(host)?.Since);

    [Theory]
    [InlineData("29.1.3", "1.44")]
    [InlineData("25.0.0", "1.24")]
    [InlineData("20.10.24+dfsg1", "1.12")]
    public void An_Engine_s_minimum_client_API_follows_its_version(string engine, string minimum) =>
        Assert.Equal(minimum, EngineChecks.MinimumApi(engine));
}
