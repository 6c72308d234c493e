using Build.GitLab;
using Build.Secrets;
using Build.Settings;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.GitLab;

public sealed class TokenShapeTests
{
    [Theory]
    [InlineData("GITLAB_RUNNER_TOKEN", "glrt-abcdefghijklmnopqrst")]
    [InlineData("GITLAB_RUNNER_TOKEN", "glrtr-abcdefghijklmnopqrst")]
    [InlineData("GITLAB_RUNNER_TOKEN", "glrt-t1_abcdefghijklmnopqrst.01.0w1x2y3z4")]
    [InlineData("GITLAB_TOKEN", "glpat-abcdefghijklmnopqrst")]
    [InlineData("GITLAB_TOKEN", "abcdefghijklmnopqrst")]
    [InlineData("GITLAB_REGISTRATION_TOKEN", "GR1348941abcdefghijklmnopqrst")]
    [InlineData("GITLAB_REGISTRATION_TOKEN", "abcdefghijklmnopqrst")]
    public void Tokens_of_the_right_shape_are_accepted(string setting, string token) =>
        Assert.Null(TokenShape.Problem(SettingCatalog.Find(setting)!, new Secret(token)));

    [Theory]
    [InlineData("GITLAB_RUNNER_TOKEN", "glpat-abcdefghijklmnopqrst", "set it as GITLAB_TOKEN")]
    [InlineData("GITLAB_RUNNER_TOKEN", "GR1348941abcdefghijklmnopqrst", "set it as GITLAB_REGISTRATION_TOKEN")]
    [InlineData("GITLAB_RUNNER_TOKEN", "glrt-short", "not a runner authentication token")]
    [InlineData("GITLAB_TOKEN", "glrt-abcdefghijklmnopqrst", "set it as GITLAB_RUNNER_TOKEN")]
    [InlineData("GITLAB_TOKEN", "glpat-abc def", "spaces")]
    [InlineData("GITLAB_TOKEN", "\"glpat-abcdefghijklmnopqrst\"", "quotes")]
    [InlineData("GITLAB_REGISTRATION_TOKEN", "glrt-abcdefghijklmnopqrst", "set it as GITLAB_RUNNER_TOKEN")]
    public void Tokens_of_the_wrong_shape_say_what_they_look_like(string setting, string token, string expected)
    {
        var problem = TokenShape.Problem(SettingCatalog.Find(setting)!, new Secret(token));

        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.DoesNotContain(token, problem);
    }

    [Fact]
    public void A_token_of_the_wrong_shape_is_refused_with_the_other_settings_and_never_shown()
    {
        var error = Assert.Throws<SettingsException>(() => BuildSettings.Load(
            new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(),
            name => name == "GITLAB_RUNNER_TOKEN" ? "glpat-abcdefghijklmnopqrst" : null, null));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("GITLAB_RUNNER_TOKEN = (value hidden) from environment variable GITLAB_RUNNER_TOKEN is not valid", problem);
        Assert.DoesNotContain("abcdefghijklmnopqrst", problem);
    }
}
