using Build.Smoke;
using Build.Tests.RunnerConfig;
using YamlDotNet.RepresentationModel;

namespace Build.Tests.Smoke;

/// <summary>The images SmokeTest pulls (private, ECR Public, pull-through), their rows, and the example pipeline's cached-image job.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SmokeSubjectTests
{
    private const string Private = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0";
    private const string Public = "public.ecr.aws/docker/library/alpine:3.20";
    private const string Cached = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/alpine:3.20";

    private static readonly Dictionary<string, string> All = new()
    {
        ["PRIVATE_ECR_IMAGE"] = Private,
        ["PUBLIC_ECR_IMAGE"] = Public,
        ["PULL_THROUGH_CACHE"] = "docker-hub=registry-1.docker.io",
        ["PULL_THROUGH_PROBE_IMAGE"] = "alpine:3.20",
    };

    private static readonly JobSettings Job = new("docker:29-cli", [], [], true, [], null);

    [Fact]
    public void Each_configured_image_gets_a_row_per_level_the_private_image_first()
    {
        var subjects = SmokeSubject.From(ConfigTomlTests.Settings(All));

        Assert.Equal([Private, Public, Cached], subjects.Select(s => s.Image));
        Assert.Equal(["executor (image:)", "executor (image:), ECR Public", "executor (image:), pull-through"], subjects.Select(s => s.ExecutorLevel));
        Assert.Equal(["DinD (docker pull in a job)", "DinD (docker pull in a job), ECR Public", "DinD (docker pull in a job), pull-through"], subjects.Select(s => s.DindLevel));
        Assert.Equal(["111111111111.dkr.ecr.eu-west-1.amazonaws.com", "public.ecr.aws", "111111111111.dkr.ecr.eu-west-1.amazonaws.com"], subjects.Select(s => s.Registry.Host));
    }

    [Fact]
    public void A_DinD_pull_that_passed_without_the_helpers_credentials_fails_its_row_as_anonymous()
    {
        // Given the job's output: the private image pulled with credentials, the ECR Public image pulled although the
        // helper gave none (ECR Public serves anyone), and the cached image refused for the import's IAM action
        var subjects = SmokeSubject.From(ConfigTomlTests.Settings(All));
        var output = string.Join('\n',
            "smoke: dind tcp://docker:2376",
            $"smoke: credentials {Private}", $"smoke: pulled 0 {Private}",
            $"smoke: no-credentials {Public}", $"smoke: pulled 0 {Public}",
            $"smoke-log: {Public} time=\"x\" level=error msg=\"Error retrieving credentials\" error=\"api error AccessDeniedException: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ecr-public:GetAuthorizationToken\"",
            $"smoke: credentials {Cached}",
            "Error response from daemon: denied: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ecr:BatchImportUpstreamImage on resource: arn:aws:ecr:eu-west-1:111111111111:repository/docker-hub/library/alpine",
            $"smoke: pulled 1 {Cached}");

        // When the rows are judged
        var rows = DindProbe.Results(subjects, output, Job, "docker:29-dind", 1, TimeSpan.FromSeconds(2));

        // Then the first passes, the anonymous pull fails naming ECR Public's actions, and the refused import names its action
        Assert.True(rows[0].Passed, rows[0].Cause);
        Assert.Contains("on tcp://docker:2376 (TLS)", rows[0].Detail);
        Assert.False(rows[1].Passed);
        Assert.Contains($"docker pull {Public} passed without credentials: the helper gave none for public.ecr.aws (access denied: AccessDenied: ecr-public:GetAuthorizationToken), so the pull counted as anonymous", rows[1].Cause);
        Assert.Contains("ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken", rows[1].Fix);
        Assert.False(rows[2].Passed);
        Assert.Contains("ecr:BatchImportUpstreamImage is not allowed", rows[2].Cause);
    }

    [Fact]
    public void The_example_pipeline_gets_a_job_whose_image_comes_through_the_cache_only_when_one_is_configured()
    {
        var template = File.ReadAllText(ExamplePipeline.Template(TestRepository.Root()));

        var with = Parse(ExamplePipeline.Render(template, ConfigTomlTests.Settings(All)));
        var without = Parse(ExamplePipeline.Render(template, ConfigTomlTests.Settings(new() { ["PRIVATE_ECR_IMAGE"] = Private })));

        var job = (YamlMappingNode)with.Children[new YamlScalarNode(ExamplePipeline.PullThroughJobName)];
        Assert.Equal(Cached, ((YamlScalarNode)job.Children[new YamlScalarNode("image")]).Value);
        Assert.Single(((YamlSequenceNode)job.Children[new YamlScalarNode("script")]).Children);
        Assert.False(without.Children.ContainsKey(new YamlScalarNode(ExamplePipeline.PullThroughJobName)));
        Assert.Equal(without.Children.Count + 1, with.Children.Count);
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }
}
