using Build.Host;
using Build.Tests.Host;

namespace Build.Tests.Aws;

/// <summary>./build.sh --target=Mirror as a process: prints the table, needs its settings, touches nothing.</summary>
public sealed class MirrorTargetTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    [Fact]
    public void Mirror_prints_each_image_through_each_rule_and_writes_nothing()
    {
        // Given two rules of a registry, and no docker on the PATH (Mirror needs none)
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Directory.CreateDirectory(Path.Combine(_build.Root, "empty-bin")).FullName,
            ["PULL_THROUGH_CACHE"] = "docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws",
            ["PULL_THROUGH_REGISTRY"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        };
        var before = Directory.GetFileSystemEntries(_build.Root, "*", SearchOption.AllDirectories).Order().ToList();

        // When Mirror runs for an official image
        var (code, output) = _build.RunWith(environment, "--target=Mirror", "--mirror-image=alpine:3.20");

        // Then it prints both forms and changes nothing on disk
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/alpine:3.20", output);
        Assert.Contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/docker/library/alpine:3.20", output);
        Assert.Equal(before, Directory.GetFileSystemEntries(_build.Root, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public void Mirror_without_rules_or_an_image_stops_before_it_runs_naming_both()
    {
        var (code, output) = _build.Run("--target=Mirror");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("PULL_THROUGH_CACHE is not set: set it to the rules of your registry's pull-through cache", output);
        Assert.Contains("no image to translate: give one or more with --mirror-image=alpine:3.20", output);
        Assert.Contains("(needed by Mirror)", output);
    }

    [Fact]
    public void Mirror_with_rules_but_no_registry_names_the_settings_that_give_one()
    {
        var (code, output) = _build.RunWith(new() { ["PULL_THROUGH_CACHE"] = "docker-hub=registry-1.docker.io" }, "--target=Mirror", "--mirror-image=alpine:3.20");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("PULL_THROUGH_CACHE is set but no registry holds its rules: set PULL_THROUGH_REGISTRY=", output);
    }
}
