using Build.Aws;
using Build.Docker;
using Build.GitLab;
using Build.Secrets;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

/// <summary>
/// Every pattern that checks a value matches it whole: a value with a line break after it (.NET's <c>$</c> matches
/// before a final newline) and digits of other scripts (<c>\d</c> matches any Unicode digit) are refused.
/// </summary>
public sealed class StrictPatternTests
{
    private const char ArabicIndicOne = '\u0661';
    private const char FullwidthOne = '\uFF11';

    private static BuildSettings Load(string key, string value) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), name => name == key ? value : null, null);

    /// <summary>The value with its first ASCII digit written in another script.</summary>
    private static string WithDigit(string value, char one)
    {
        var at = value.IndexOfAny("0123456789".ToCharArray());
        Assert.True(at >= 0, $"{value} has no digit to replace");
        return value[..at] + (char)(one + (value[at] - '1')) + value[(at + 1)..];
    }

    public static TheoryData<string, string> SettingsWithDigits => new()
    {
        { "COMPOSE_PROJECT_NAME", "runner1" },
        { "RUNNER_NAME", "ecr-runner1" },
        { "HELPER_VERSION", "0.12.0" },
        { "AWS_PROFILE", "ci1" },
        { "AWS_REGION", "eu-west-1" },
        { "RUNNER_NETWORK", "ci-net1" },
        { "GITLAB_PROJECT", "42" },
        { "GITLAB_PROJECT", "group1/app" },
        { "GITLAB_SERVER_PROJECT", "smoke1" },
        { "HELPER_MODULE", "github.com/me/helper1" },
        { "HELPER_GOPROXY", "https://proxy1.example/go,direct" },
        { "PIPELINE_BRANCH", "smoke/run1" },
        { "GITLAB_RUNNER_IMAGE", "registry.example:5000/runner:v19" },
        { "DIND_IMAGE", "docker:29-dind" },
        { "PRIVATE_ECR_IMAGE", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0" },
        { "GITLAB_SERVER_WEB_PORT", "8800" },
        { "RUNNER_CONCURRENT", "4" },
        { "GITLAB_SERVER_TIMEOUT", "900" },
        { "PIPELINE_TIMEOUT", "600" },
        { "PIPELINE_POLL_INTERVAL", "1.5" },
        { "GITLAB_RUNNER_TOKEN", "glrt-abcdefghij0123456789" },
        { "GITLAB_TOKEN", "glpat-abcdefghij0123456789" },
    };

    [Theory]
    [MemberData(nameof(SettingsWithDigits))]
    public void A_setting_is_refused_with_a_trailing_newline_or_a_digit_of_another_script(string key, string valid)
    {
        // Given a valid value, and the same with a line break after it or with a digit of another script
        var accepted = Record.Exception(() => Load(key, valid));
        string[] bad = [valid + "\n", WithDigit(valid, ArabicIndicOne), WithDigit(valid, FullwidthOne)];

        // When each is loaded
        var refused = bad.Select(value => Record.Exception(() => Load(key, value))).ToList();

        // Then the valid one loads and each bad one is refused naming the setting
        Assert.Null(accepted);
        Assert.All(refused, error => Assert.Contains(key, Assert.IsType<SettingsException>(error).Message));
    }

    [Theory]
    [InlineData("RUNNER_RESTART_POLICY", "always")]
    [InlineData("HELPER_GOPROXY", "https://proxy.example/go,direct")]
    public void A_setting_without_digits_is_refused_with_a_newline_in_it(string key, string valid)
    {
        var value = valid.Contains('\n') ? valid : valid + "\n";

        var error = Assert.Throws<SettingsException>(() => Load(key, value));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Extra_hosts_are_refused_with_a_newline_in_a_host_or_a_digit_of_another_script()
    {
        // Line breaks around the entries of a list are spaces between them; inside an entry they are refused
        Assert.Equal([("host1.internal", "10.0.0.1")], Load("RUNNER_EXTRA_HOSTS", "host1.internal:10.0.0.1\n").Runner.ExtraHosts);
        foreach (var bad in new[] { "host1.internal\n:10.0.0.1", $"host{ArabicIndicOne}.internal:10.0.0.1", $"host.internal:{FullwidthOne}0.0.0.1", $"host.internal:10.0.0.{ArabicIndicOne}" })
        {
            Assert.Contains("RUNNER_EXTRA_HOSTS", Assert.Throws<SettingsException>(() => Load("RUNNER_EXTRA_HOSTS", bad)).Message);
        }
    }

    [Theory]
    [InlineData("GITLAB_SERVER_WEB_PORT", "+8800")]
    [InlineData("RUNNER_CONCURRENT", "+4")]
    [InlineData("GITLAB_SERVER_TIMEOUT", "+900")]
    [InlineData("GITLAB_SERVER_TIMEOUT", "1,000")]
    public void Numbers_take_plain_ascii_digits_only(string key, string value)
    {
        var error = Assert.Throws<SettingsException>(() => Load(key, value));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Image_references_are_refused_with_a_newline_or_a_digit_of_another_script()
    {
        const string valid = "registry.example:5000/team/app:v1";

        Assert.True(ImageReference.TryParse(valid, out _));
        Assert.False(ImageReference.TryParse(valid + "\n", out _));
        Assert.False(ImageReference.TryParse("registry.example:5000/team/app:v" + ArabicIndicOne, out _));
        Assert.False(ImageReference.TryParse("registry.example:" + FullwidthOne + "000/team/app:v1", out _));
    }

    [Fact]
    public void Ecr_hosts_are_refused_with_a_newline_or_a_digit_of_another_script()
    {
        const string valid = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

        Assert.True(EcrRegistry.TryParse(valid, out _));
        Assert.False(EcrRegistry.TryParse(valid + "\n", out _));
        Assert.False(EcrRegistry.TryParse(WithDigit(valid, ArabicIndicOne), out _));
        Assert.False(EcrRegistry.TryParse(WithDigit(valid, FullwidthOne), out _));
    }

    [Fact]
    public void Aws_key_shapes_are_refused_with_a_newline_or_a_digit_of_another_script()
    {
        const string keyId = "AKIAIOSFODNN7EXAMPLE";
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

        Assert.True(AwsKey.IsKeyIdShaped(keyId) && AwsKey.IsSecretShaped(secret) && AwsKey.IsSessionTokenShaped(secret) && AwsKey.IsRegionShaped("eu-west-1"));
        foreach (var bad in new[] { "\n", "ARABIC", "FULLWIDTH" })
        {
            string Spoil(string value) => bad == "\n" ? value + "\n" : WithDigit(value, bad == "ARABIC" ? ArabicIndicOne : FullwidthOne);
            Assert.False(AwsKey.IsKeyIdShaped(Spoil(keyId)), bad);
            Assert.False(AwsKey.IsSecretShaped(Spoil(secret)), bad);
            Assert.False(AwsKey.IsSessionTokenShaped(Spoil(secret)), bad);
            Assert.False(AwsKey.IsRegionShaped(Spoil("eu-west-1")), bad);
        }
    }

    [Theory]
    [InlineData("GITLAB_RUNNER_TOKEN", "glrt-abcdefghij0123456789")]
    [InlineData("GITLAB_TOKEN", "glpat-abcdefghij0123456789")]
    [InlineData("GITLAB_REGISTRATION_TOKEN", "GR1348941abcdefghij0123456789")]
    public void Token_shapes_are_refused_with_a_newline_or_a_digit_of_another_script(string key, string valid)
    {
        var setting = SettingCatalog.Find(key)!;

        Assert.Null(TokenShape.Problem(setting, new Secret(valid)));
        Assert.NotNull(TokenShape.Problem(setting, new Secret(valid + "\n")));
        Assert.NotNull(TokenShape.Problem(setting, new Secret(WithDigit(valid, ArabicIndicOne))));
        Assert.NotNull(TokenShape.Problem(setting, new Secret(WithDigit(valid, FullwidthOne))));
    }

    [Fact]
    public void A_word_with_a_newline_is_not_echoed_as_a_plain_word()
    {
        Assert.Equal("\"--target\"", Echo.Word("--target"));
        Assert.DoesNotContain("target", Echo.Word("--target\n"));
    }

    [Fact]
    public void A_dotenv_key_with_a_digit_of_another_script_is_an_error()
    {
        var result = DotEnvFile.Parse($"KEY1=a\nKEY{ArabicIndicOne}=b\nKEY{FullwidthOne}=c\n", _ => null);

        Assert.Equal("KEY1", Assert.Single(result.Entries).Key);
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void A_compose_version_in_digits_of_another_script_is_not_a_version()
    {
        Assert.Null(ComposeVersion.Parse($"Docker Compose version v{ArabicIndicOne}.29.1", "docker"));
        Assert.Null(ComposeVersion.Parse($"Docker Compose version v2.{FullwidthOne}9.1", "docker"));
    }
}
