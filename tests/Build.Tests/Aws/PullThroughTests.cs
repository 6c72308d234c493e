using Build.Aws;
using Build.Docker;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Aws;

/// <summary>PULL_THROUGH_CACHE's rules, their registry and probe image as settings, and images translated through them.</summary>
public sealed class PullThroughTests
{
    private const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    private static PullThroughSettings Cache(string rules = "docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws,ghcr=ghcr.io,k8s=registry.k8s.io,quay=quay.io") =>
        Load(new() { ["PULL_THROUGH_CACHE"] = rules, ["PULL_THROUGH_REGISTRY"] = Registry }).Aws.PullThrough;

    private static ImageReference Image(string text) => ImageReference.TryParse(text, out var image) ? image! : throw new ArgumentException(text);

    [Theory]
    [InlineData("alpine:3.20", "docker-hub", Registry + "/docker-hub/library/alpine:3.20")]
    [InlineData("docker.io/library/alpine:3.20", "docker-hub", Registry + "/docker-hub/library/alpine:3.20")]
    [InlineData("bitnami/postgresql:16", "docker-hub", Registry + "/docker-hub/bitnami/postgresql:16")]
    [InlineData("alpine:3.20", "ecr-public", Registry + "/ecr-public/docker/library/alpine:3.20")]
    [InlineData("public.ecr.aws/lambda/python:3.12", "ecr-public", Registry + "/ecr-public/lambda/python:3.12")]
    [InlineData("ghcr.io/actions/runner:2.320.0", "ghcr", Registry + "/ghcr/actions/runner:2.320.0")]
    [InlineData("registry.k8s.io/pause:3.10", "k8s", Registry + "/k8s/pause:3.10")]
    [InlineData("quay.io/prometheus/node-exporter@sha256:0000000000000000000000000000000000000000000000000000000000000000", "quay", Registry + "/quay/prometheus/node-exporter@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public void An_image_is_translated_into_its_pull_through_form_through_the_rule_of_its_upstream(string image, string prefix, string expected)
    {
        var cache = Cache();

        var translation = cache.Rules.Single(r => r.Prefix == prefix).Translate(Image(image), cache.Registry!);

        Assert.Equal(expected, translation.Reference);
    }

    [Fact]
    public void A_rule_of_another_upstream_does_not_serve_the_image_and_says_why()
    {
        var cache = Cache();

        var translation = cache.Rules.Single(r => r.Prefix == "ghcr").Translate(Image("alpine:3.20"), cache.Registry!);

        Assert.Null(translation.Reference);
        Assert.Equal("registry-1.docker.io/library/alpine is not on ghcr.io", translation.Refusal);
    }

    [Fact]
    public void Rules_take_docker_io_as_Docker_Hub_and_the_registry_comes_from_PRIVATE_ECR_IMAGE_by_default()
    {
        var settings = Load(new() { ["PULL_THROUGH_CACHE"] = "hub=docker.io, ecr-public=https://public.ecr.aws/", ["PRIVATE_ECR_IMAGE"] = Registry + "/team/app:1", ["PULL_THROUGH_PROBE_IMAGE"] = "alpine:3.20" });

        Assert.Equal(["hub=registry-1.docker.io", "ecr-public=public.ecr.aws"], settings.Aws.PullThrough.Rules.Select(r => r.ToString()));
        Assert.Equal(Registry, settings.Aws.PullThrough.Registry?.Host);
        Assert.Equal(Registry + "/hub/library/alpine:3.20", settings.Aws.PullThrough.Probe?.Reference);
        Assert.Equal([UpstreamAccess.Secret, UpstreamAccess.None], settings.Aws.PullThrough.Rules.Select(r => r.Upstream.Access));
    }

    [Fact]
    public void Bad_rules_a_public_cache_registry_and_a_probe_no_rule_serves_are_refused_together()
    {
        // Given a pair without '=', a prefix too short, a prefix given twice, an upstream with a path, ECR Public as the
        // cache's registry, and a probe image from an upstream no rule caches
        var error = Assert.Throws<SettingsException>(() => Load(new()
        {
            ["PULL_THROUGH_CACHE"] = "docker-hub,a=quay.io,hub=registry-1.docker.io,hub=quay.io,ghcr=ghcr.io/org",
            ["PULL_THROUGH_REGISTRY"] = "public.ecr.aws",
            ["PULL_THROUGH_PROBE_IMAGE"] = "registry.k8s.io/pause:3.10",
        }));

        // Then every problem is named with its setting
        Assert.Equal(6, error.Problems.Count);
        Assert.Equal(4, error.Problems.Count(p => p.StartsWith("PULL_THROUGH_CACHE = ", StringComparison.Ordinal)));
        Assert.Contains(error.Problems, p => p.Contains("\"docker-hub\" is not prefix=upstream", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("the prefix hub is given twice", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("PULL_THROUGH_REGISTRY = \"public.ecr.aws\"", StringComparison.Ordinal) && p.Contains("not a private ECR registry host", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("PULL_THROUGH_PROBE_IMAGE", StringComparison.Ordinal) && p.Contains("no rule of PULL_THROUGH_CACHE serves it (registry.k8s.io)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cache_registry_is_added_to_the_registries_for_its_credHelpers_entry()
    {
        var settings = Load(new() { ["PULL_THROUGH_CACHE"] = "docker-hub=registry-1.docker.io", ["PULL_THROUGH_REGISTRY"] = "210987654321.dkr.ecr.us-east-2.amazonaws.com", ["PRIVATE_ECR_IMAGE"] = Registry + "/app:1" });

        Assert.Equal([Registry, "210987654321.dkr.ecr.us-east-2.amazonaws.com"], settings.Aws.Registries.Select(r => r.Host));
    }

    [Fact]
    public void The_table_shows_each_image_through_each_rule_and_what_each_upstream_needs()
    {
        var cache = Cache("docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws,ghcr=ghcr.io");

        var table = PullThroughTable.Render(cache, [Image("alpine:3.20"), Image("ghcr.io/actions/runner:2.320.0")]);

        Assert.Contains($"pull-through cache of {Registry} (3 rules)", table);
        Assert.Matches(@"alpine:3\.20\s+docker-hub\s+registry-1\.docker\.io\s+" + Registry.Replace(".", @"\.") + @"/docker-hub/library/alpine:3\.20 \(official image: library/ is part of the path\)", table);
        Assert.Matches(@"alpine:3\.20\s+ecr-public\s+public\.ecr\.aws\s+\S+/ecr-public/docker/library/alpine:3\.20 \(ECR Public's copy of the Docker official image", table);
        Assert.Matches(@"alpine:3\.20\s+ghcr\s+ghcr\.io\s+- \(registry-1\.docker\.io/library/alpine is not on ghcr\.io\)", table);
        Assert.Matches(@"ghcr\.io/actions/runner:2\.320\.0\s+ghcr\s+ghcr\.io\s+\S+/ghcr/actions/runner:2\.320\.0", table);
        Assert.Contains("docker-hub: Docker Hub needs a Secrets Manager secret named ecr-pullthroughcache/… (its user name and access token) in account 123456789012, eu-west-1", table);
        Assert.Contains("ecr-public: ECR Public needs no credentials", table);
        Assert.Contains("ecr:BatchImportUpstreamImage, and ecr:CreateRepository", table);
    }
}
