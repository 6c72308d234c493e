using Build.GitLab;
using Build.Settings;
using Build.Tests.Host;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.GitLab;

/// <summary>GITLAB_URL on plain http:// to another machine warns (the tokens would cross the network unencrypted); https:// and this machine do not.</summary>
public sealed class ClearTextWarningTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    [Theory]
    [InlineData("http://gitlab.example.com")]
    [InlineData("http://10.0.0.5:8080/gitlab/")]
    [InlineData("http://192.168.1.20")]
    [InlineData("http://[2001:db8::1]:8080/")]
    public void Plain_http_to_another_machine_warns(string url)
    {
        var warning = new EffectiveGitLab(new Uri(url), new Uri(url), null, null, false).ClearTextWarning();

        Assert.NotNull(warning);
        Assert.Contains("unencrypted", warning);
        Assert.Contains("set GITLAB_URL to the https:// address", warning);
    }

    [Theory]
    [InlineData("https://gitlab.example.com")]
    [InlineData("http://127.0.0.1:8800/")]
    [InlineData("http://127.4.5.6/")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://localhost/")]
    [InlineData("http://LocalHost:3000")]
    public void Https_and_this_machine_do_not_warn(string url) =>
        Assert.Null(new EffectiveGitLab(new Uri(url), new Uri(url), null, null, false).ClearTextWarning());

    [Fact]
    public void The_local_server_of_server_mode_does_not_warn()
    {
        var settings = BuildSettings.Load(new DirectoryPath(_build.Root), new DirectoryPath(_build.Root), new Dictionary<string, string>(), _ => null, null);

        Assert.Null(EffectiveGitLab.LocalServer(settings, null).ClearTextWarning());
    }

    [Fact]
    public void The_warning_never_shows_user_info_of_the_url()
    {
        var url = new Uri("http://deploy:s3cretpass@gitlab.example.com/");

        var warning = new EffectiveGitLab(url, url, null, null, false).ClearTextWarning();

        Assert.Contains("http://gitlab.example.com", warning);
        Assert.DoesNotContain("s3cretpass", warning);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    [Theory]
    [InlineData("http://gitlab.example.com", 1)]
    [InlineData("https://gitlab.example.com", 0)]
    [InlineData("http://127.0.0.1:8800", 0)]
    public void A_run_that_uses_GitLab_warns_once_for_plain_http_to_another_machine(string url, int warnings)
    {
        // Given a registered runner (Status reads the GitLab of the run for its line) and GITLAB_URL
        var config = Directory.CreateDirectory(Path.Combine(_build.Root, ".state", "runner", "config")).FullName;
        File.WriteAllText(Path.Combine(config, "config.toml"), $"concurrent = 1\n\n[[runners]]\n  name = \"ecr-runner\"\n  url = \"{url}\"\n  token = \"glrt-abcdefghijklmnopqrst\"\n  executor = \"docker\"\n");
        var machine = _build.FakeMachine("echo 'Cannot connect to the Docker daemon' >&2; exit 1\n", null, null);
        machine["GITLAB_URL"] = url;

        // When Status runs
        var (code, output) = _build.RunWith(machine, "--target=Status");

        // Then the warning shows once, or not at all
        Assert.Equal(0, code);
        Assert.Contains("\"ecr-runner\" at ", output);
        Assert.Equal(warnings, output.Split('\n').Count(l => l.Contains("would cross the network unencrypted", StringComparison.Ordinal)));
    }
}
