using Build.GitLab;
using Build.Settings;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.Settings;

public sealed class ServerSettingsTests
{
    private static readonly DirectoryPath Root = new("/repo");

    private static BuildSettings Load(Dictionary<string, string> environment, string? dotEnv = null, Dictionary<string, string>? arguments = null) =>
        BuildSettings.Load(Root, Root, arguments ?? [], name => environment.GetValueOrDefault(name), dotEnv);

    [Fact]
    public void Server_mode_resolves_the_local_gitlab_by_loopback_for_the_host_and_by_service_name_for_the_runner()
    {
        var settings = Load(new() { ["GITLAB_SERVER_WEB_PORT"] = "8900", ["GITLAB_SERVER_PROJECT"] = "smoke", ["GITLAB_SERVER_TIMEOUT"] = "60" }, "GITLAB_URL=https://gitlab.com\n", new() { ["server"] = "true" });

        var gitLab = EffectiveGitLab.LocalServer(settings, null);

        Assert.True(settings.Server.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Server.Timeout);
        Assert.Equal(new Uri("http://127.0.0.1:8900/"), gitLab.Url);
        Assert.Equal(new Uri("http://gitlab:8900/"), gitLab.RunnerUrl);
        Assert.Equal("root/smoke", gitLab.Project);
    }

    [Fact]
    public void Outside_server_mode_the_settings_gitlab_is_used_as_is()
    {
        var settings = Load(new() { ["GITLAB_URL"] = "https://gitlab.example.com", ["GITLAB_PROJECT"] = "team/app" });

        var gitLab = EffectiveGitLab.FromSettings(settings);

        Assert.Equal(gitLab.Url, gitLab.RunnerUrl);
        Assert.Equal("team/app", gitLab.Project);
        Assert.False(gitLab.IsLocalServer);
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Server.Timeout);
    }

    [Theory]
    [InlineData("GITLAB_URL", "https://gitlab.example.com")]
    [InlineData("GITLAB_TOKEN", "glpat-abcdefghijklmnopqrst")]
    [InlineData("GITLAB_PROJECT", "team/app")]
    public void A_gitlab_setting_in_server_mode_is_a_conflict_named_with_its_fix(string key, string value)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["SERVER"] = "true", [key] = value }));

        var problem = Assert.Single(error.Problems);
        Assert.Contains($"SERVER=true uses the local GitLab, its root token and GITLAB_SERVER_PROJECT: unset {key}, or set SERVER=false", problem);
        Assert.DoesNotContain("glpat-abcdefghijklmnopqrst", problem);
    }

    [Theory]
    [InlineData("GITLAB_SERVER_TIMEOUT", "5")]
    [InlineData("GITLAB_SERVER_TIMEOUT", "15m")]
    [InlineData("GITLAB_SERVER_PROJECT", "group/project")]
    public void Bad_server_values_are_refused(string key, string value)
    {
        var error = Assert.Throws<SettingsException>(() => Load(new() { [key] = value }));

        Assert.StartsWith($"{key} = \"{value}\"", Assert.Single(error.Problems));
    }
}
