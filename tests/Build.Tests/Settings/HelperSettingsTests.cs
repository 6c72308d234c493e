using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Settings;

/// <summary>The credential helper's settings: defaults, the four sources and what each needs.</summary>
public sealed class HelperSettingsTests
{
    private static BuildSettings Load(string dotEnv) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), _ => null, dotEnv);

    [Fact]
    public void Helper_defaults_build_the_upstream_module_through_gos_own_proxy()
    {
        var settings = Load(string.Empty);

        Assert.Equal(HelperSource.Build, settings.Helper.Source);
        Assert.Equal("github.com/awslabs/amazon-ecr-credential-helper", settings.Helper.Module);
        Assert.Equal("https://proxy.golang.org,direct", settings.Helper.GoProxy);
        Assert.Matches(@"^golang:1\.\d+\.\d+-alpine$", settings.Helper.GoImage.ToString());
        Assert.Equal("https://amazon-ecr-credential-helper-releases.s3.us-east-2.amazonaws.com/", settings.Helper.DownloadUrl.ToString());
        Assert.Null(settings.Helper.Archive);
    }

    [Fact]
    public void An_absolute_state_dir_is_taken_as_it_is()
    {
        Assert.Equal("/var/lib/ecr-runner", Load("STATE_DIR=/var/lib/ecr-runner").StateDirectory.FullPath);
    }

    [Fact]
    public void The_archive_source_takes_a_path_from_the_root()
    {
        var settings = Load("HELPER_SOURCE=archive\nHELPER_ARCHIVE=../shared/helper.tar.gz\nHELPER_GOPROXY=file:///srv/goproxy,off");

        Assert.Equal(HelperSource.Archive, settings.Helper.Source);
        Assert.Equal("/shared/helper.tar.gz", settings.Helper.Archive!.FullPath);
        Assert.Equal("file:///srv/goproxy,off", settings.Helper.GoProxy);
    }

    [Theory]
    [InlineData("HELPER_SOURCE=archive", "HELPER_ARCHIVE", "needs the path of the release source archive")]
    [InlineData("HELPER_SOURCE=path\nHELPER_PATH=/usr/local/bin/h", "HELPER_PLATFORMS", "takes one binary")]
    [InlineData("HELPER_PLATFORMS=linux/amd64,linux/s390x", "HELPER_PLATFORMS", "linux/amd64 and/or linux/arm64")]
    [InlineData("HELPER_VERSION=v0.12", "HELPER_VERSION", "a version such as 0.12.0")]
    [InlineData("HELPER_MODULE=not a module", "HELPER_MODULE", "a Go module path")]
    [InlineData("HELPER_GOPROXY=ftp://mirror", "HELPER_GOPROXY", "file:// URLs, direct or off")]
    [InlineData("HELPER_DOWNLOAD_URL=https://me:pw@mirror.example", "HELPER_DOWNLOAD_URL", "without user info")]
    [InlineData("HELPER_GO_IMAGE=Golang:UPPER", "HELPER_GO_IMAGE", "an image reference")]
    [InlineData("HELPER_SOURCE=compile", "HELPER_SOURCE", "build, archive, download or path")]
    public void A_bad_helper_setting_is_refused_naming_it_and_what_it_accepts(string dotEnv, string key, string accepted)
    {
        var error = Assert.Throws<SettingsException>(() => Load(dotEnv));

        Assert.Contains(key, error.Message);
        Assert.Contains(accepted, error.Message);
    }

    [Theory]
    [InlineData("https://ci-bot:s3cret-pass@proxy.example/go,direct", "https://***@proxy.example/go,direct")]
    [InlineData("direct|https://s3cret-pass@proxy.example", "direct|https://***@proxy.example")]
    public void A_goproxy_url_with_user_info_is_refused_without_showing_it(string goProxy, string shown)
    {
        // Given a module proxy URL with credentials in it
        // When the settings are loaded
        var error = Assert.Throws<SettingsException>(() => Load("HELPER_GOPROXY=" + goProxy));

        // Then it is refused, shown with the user info masked, saying why and what to do
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"HELPER_GOPROXY = \"{shown}\" from .env line 1 is not valid: a proxy URL with user info", problem);
        Assert.Contains("use a proxy that needs no credentials in its URL", problem);
        Assert.DoesNotContain("s3cret-pass", error.Message);
        Assert.DoesNotContain("ci-bot", error.Message);
    }

    [Theory]
    [InlineData("http://mirror.example/releases")]
    [InlineData("http://10.0.0.5/releases")]
    [InlineData("http://localhost.example.com/releases")]
    [InlineData("ftp://mirror.example/releases")]
    public void The_download_url_needs_https_off_loopback(string url)
    {
        var error = Assert.Throws<SettingsException>(() => Load("HELPER_DOWNLOAD_URL=" + url));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("HELPER_DOWNLOAD_URL", problem);
        Assert.Contains("the binary and its .sha256 both come from this URL, so over http:// anyone on the network path could replace both: use https://", problem);
    }

    [Theory]
    [InlineData("https://mirror.example/releases")]
    [InlineData("http://127.0.0.1:8080/releases")]
    [InlineData("http://localhost:9000")]
    [InlineData("http://[::1]:9000/releases")]
    public void The_download_url_may_be_http_on_a_loopback_host(string url)
    {
        Assert.Equal(new Uri(url), Load("HELPER_DOWNLOAD_URL=" + url).Helper.DownloadUrl);
    }
}
