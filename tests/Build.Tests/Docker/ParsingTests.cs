using Build.Aws;
using Build.Docker;
using Build.Doctor;

namespace Build.Tests.Docker;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("2.29.7", "docker", 2, "2.29.7", true)]
    [InlineData("v2.40.3", "docker", 2, "2.40.3", true)]
    [InlineData("1.29.2", "docker-compose", 1, "1.29.2", false)]
    [InlineData("docker-compose version 1.29.2, build unknown", "docker-compose", 1, "1.29.2", false)]
    [InlineData("Docker Compose version v2.24.6", "docker-compose", 2, "2.24.6", false)]
    public void Compose_version_is_read_from_either_compose(string output, string command, int major, string version, bool plugin)
    {
        var parsed = ComposeVersion.Parse(output, command);

        Assert.NotNull(parsed);
        Assert.Equal(major, parsed.Major);
        Assert.Equal(version, parsed.Version);
        Assert.Equal(plugin, parsed.IsPlugin);
    }

    [Fact]
    public void Compose_version_without_a_version_is_null() => Assert.Null(ComposeVersion.Parse("unknown command", "docker"));

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com", "123456789012", "us-east-1", false)]
    [InlineData("https://123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/", "123456789012", "us-gov-west-1", true)]
    [InlineData("123456789012.dkr-ecr.eu-central-1.on.aws", "123456789012", "eu-central-1", false)]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1", false)]
    [InlineData("123456789012.dkr-ecr-fips.us-east-1.on.aws", "123456789012", "us-east-1", true)]
    [InlineData("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "123456789012", "eusc-de-east-1", false)]
    public void Ecr_hosts_give_account_and_region(string host, string account, string region, bool fips)
    {
        Assert.True(EcrRegistry.TryParse(host, out var registry));
        Assert.Equal(account, registry!.AccountId);
        Assert.Equal(region, registry.Region);
        Assert.Equal(fips, registry.Fips);
    }

    [Theory]
    [InlineData("12345678901.dkr.ecr.us-east-1.amazonaws.com")]
    [InlineData("123456789012.dkr.ecr.us-east-1.example.com")]
    [InlineData("public.ecr.aws.example.com")]
    [InlineData("")]
    public void Hosts_that_are_no_ecr_registry_are_refused(string host) => Assert.False(EcrRegistry.TryParse(host, out _));

    [Theory]
    [InlineData("docker:29-dind", null, "docker", "29-dind")]
    [InlineData("gitlab/gitlab-runner:v19.3.0", null, "gitlab/gitlab-runner", "v19.3.0")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.2", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "team/app", "1.2")]
    [InlineData("localhost:5000/x", "localhost:5000", "x", null)]
    public void Image_references_split_into_registry_repository_and_tag(string text, string? registry, string repository, string? tag)
    {
        Assert.True(ImageReference.TryParse(text, out var image));
        Assert.Equal(registry, image!.Registry);
        Assert.Equal(repository, image.Repository);
        Assert.Equal(tag, image.Tag);
        Assert.Equal(text, image.ToString());
    }

    [Theory]
    [InlineData("UPPER/case")]
    [InlineData("a b")]
    [InlineData("image:")]
    public void Malformed_image_references_are_refused(string text) => Assert.False(ImageReference.TryParse(text, out _));

    [Theory]
    [InlineData(512L << 20, CheckStatus.Fail)]
    [InlineData(3L << 30, CheckStatus.Warn)]
    [InlineData(20L << 30, CheckStatus.Ok)]
    public void Free_space_thresholds(long bytes, CheckStatus expected)
    {
        var check = DoctorCheck.ForFreeSpace("/var", bytes);

        Assert.Equal(expected, check.Status);
        Assert.Equal(expected != CheckStatus.Ok, check.Render(10).Contains("fix:"));
    }
}
