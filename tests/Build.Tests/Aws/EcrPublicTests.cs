using Build.Aws;
using Build.RunnerConfig;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Aws;

/// <summary>ECR Public as a registry: its two exact names, look-alikes refused with the reason, its credHelpers entry and its causes.</summary>
public sealed class EcrPublicTests
{
    private static BuildSettings Load(Dictionary<string, string> environment) =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/home/me"), new Dictionary<string, string>(), environment.GetValueOrDefault, null);

    [Theory]
    [InlineData("public.ecr.aws", "public.ecr.aws")]
    [InlineData("https://public.ecr.aws/", "public.ecr.aws")]
    [InlineData("ecr-public.aws.com", "ecr-public.aws.com")]
    [InlineData("PUBLIC.ECR.AWS", "public.ecr.aws")]
    public void ECR_Public_hosts_are_public_registries_in_us_east_1_without_an_account(string text, string host)
    {
        Assert.True(EcrRegistry.TryParse(text, out var registry));

        Assert.Equal((EcrRegistryKind.Public, host, null, "us-east-1"), (registry!.Kind, registry.Host, registry.AccountId, registry.Region));
        Assert.Equal(host == EcrRegistry.DualStackPublicHost, registry.IsDualStackPublic);
        Assert.Equal("api.ecr-public.us-east-1.amazonaws.com", EcrApi.Endpoint(registry));
    }

    [Theory]
    [InlineData("public.ecr.aws.example.com", "looks like ECR Public but is not one of its names")]
    [InlineData("public-ecr.aws", "looks like ECR Public but is not one of its names")]
    [InlineData("ecr-public.aws.com.cn", "looks like ECR Public but is not one of its names")]
    [InlineData("public.ecr.aws:443", "is not a bare host name: write public.ecr.aws without a port")]
    [InlineData("public.ecr.aws/docker", "is not a bare host name")]
    [InlineData("public.ecr.aws.", "is not a bare host name")]
    public void A_look_alike_of_ECR_Public_in_ECR_REGISTRIES_is_refused_saying_why(string host, string reason)
    {
        // Given ECR_REGISTRIES naming a look-alike beside a good private host
        // When the settings are loaded
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["ECR_REGISTRIES"] = $"123456789012.dkr.ecr.eu-west-1.amazonaws.com,{host}" }));

        // Then one problem names the setting, the host and why it is not ECR Public
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("ECR_REGISTRIES = ", problem);
        Assert.Contains(reason, problem);
        Assert.False(EcrRegistry.TryParse(host, out _));
    }

    [Fact]
    public void ECR_Public_and_PUBLIC_ECR_IMAGE_get_a_credHelpers_entry_like_a_private_registry()
    {
        // Given a private registry in ECR_REGISTRIES and an ECR Public image
        var settings = Load(new()
        {
            ["ECR_REGISTRIES"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            ["PUBLIC_ECR_IMAGE"] = "public.ecr.aws/docker/library/alpine:3.20",
        });

        // When the docker configuration is written
        var json = DockerAuthConfig.Json(settings.Aws.Registries.Select(r => r.Host), useCredsStore: false);

        // Then both hosts map to the helper, and the region of calls without AWS_REGION is the private registry's
        Assert.Equal("{\"credHelpers\":{\"123456789012.dkr.ecr.eu-west-1.amazonaws.com\":\"ecr-login\",\"public.ecr.aws\":\"ecr-login\"}}", json);
        Assert.Equal([EcrRegistryKind.Private, EcrRegistryKind.Public], settings.Aws.Registries.Select(r => r.Kind));
        Assert.Equal("eu-west-1", settings.Aws.RegistryRegion);
    }

    [Fact]
    public void An_ECR_Public_image_as_PRIVATE_ECR_IMAGE_and_a_private_one_as_PUBLIC_ECR_IMAGE_are_refused()
    {
        var error = Assert.Throws<SettingsException>(() => Load(new()
        {
            ["PRIVATE_ECR_IMAGE"] = "public.ecr.aws/docker/library/alpine:3.20",
            ["PUBLIC_ECR_IMAGE"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
        }));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("PRIVATE_ECR_IMAGE", StringComparison.Ordinal) && p.Contains("its registry is ECR Public: set it as PUBLIC_ECR_IMAGE", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("PUBLIC_ECR_IMAGE", StringComparison.Ordinal) && p.Contains("its registry is not ECR Public", StringComparison.Ordinal));
    }

    [Fact]
    public void Access_denied_for_ECR_Public_names_both_actions_its_token_needs()
    {
        // Given the helper's log line for an identity without ECR Public's rights
        const string log = "level=error msg=\"Error retrieving credentials\" error=\"ecr: failed to get authorization token: operation error ECR PUBLIC: GetAuthorizationToken, https response error StatusCode: 400, api error AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:GetServiceBearerToken\"";
        EcrRegistry.TryParse("public.ecr.aws", out var registry);
        EcrRegistry.TryParse("123456789012.dkr.ecr.eu-west-1.amazonaws.com", out var privateRegistry);

        // When its cause is recognised for each kind of registry
        var cause = AwsFailure.Recognise(log, registry!);

        // Then ECR Public's cause names both actions, and a private registry's keeps its own
        Assert.Same(AwsFailure.PublicAccessDenied, cause);
        Assert.Contains("ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken", cause!.Describe());
        Assert.Same(AwsFailure.AccessDenied, AwsFailure.Recognise(log, privateRegistry!));
    }

    [Theory]
    [InlineData("0.8.0", false)]
    [InlineData("0.11.9", false)]
    [InlineData("0.12.0", true)]
    [InlineData("0.12.1-dev", true)]
    [InlineData("1.0.0", true)]
    [InlineData("unknown", true)]
    public void The_dual_stack_name_needs_helper_0_12_0(string version, bool enough) =>
        Assert.Equal(enough, HelperLocation.AtLeast(version, EcrRegistry.DualStackPublicSince));
}
