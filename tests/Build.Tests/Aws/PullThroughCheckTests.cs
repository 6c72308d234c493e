using System.Net;
using System.Text.Json.Nodes;
using Build.Aws;
using Build.Secrets;
using Build.Settings;
using Cake.Core.IO;

namespace Build.Tests.Aws;

/// <summary>Preflight's judgement of each rule as ECR describes it, and of the pull probe, against scripted answers.</summary>
public sealed class PullThroughCheckTests
{
    private const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    private static readonly AwsSigningKey Key = new(new Secret("AKIDEXAMPLE0000000000"), new Secret("secret/EXAMPLEKEY0000000000000000000000000"), null);

    private readonly List<string> _info = [];
    private readonly List<string> _warnings = [];

    private static PullThroughSettings Cache(string rules, string? probe = null)
    {
        var environment = new Dictionary<string, string> { ["PULL_THROUGH_CACHE"] = rules, ["PULL_THROUGH_REGISTRY"] = Registry };
        if (probe is not null)
        {
            environment["PULL_THROUGH_PROBE_IMAGE"] = probe;
        }

        return BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(), environment.GetValueOrDefault, null).Aws.PullThrough;
    }

    /// <summary>ECR's answer per prefix (a rule's JSON, or an error code), and the registry's answer to manifest requests.</summary>
    private async Task<IReadOnlyList<string>> RunAsync(PullThroughSettings cache, Func<string, (HttpStatusCode, string)> describe, (HttpStatusCode, string)? manifest = null)
    {
        var ecr = new Handler(async request =>
        {
            var prefix = JsonNode.Parse(await request.Content!.ReadAsStringAsync())!["ecrRepositoryPrefixes"]![0]!.GetValue<string>();
            var (status, body) = describe(prefix);
            return new HttpResponseMessage(status) { Content = new StringContent(body) };
        });
        var registry = new Handler(_ => Task.FromResult(new HttpResponseMessage(manifest?.Item1 ?? HttpStatusCode.OK) { Content = new StringContent(manifest?.Item2 ?? "{}") }));
        var check = new PullThroughCheck(cache, new EcrApi(Key, null, handler: () => ecr), new ManifestProbe(null, () => registry), new Redactor(), _info.Add, _warnings.Add);
        return await check.RunAsync(new Secret("registry-password"), CancellationToken.None);
    }

    private static (HttpStatusCode, string) Rule(string prefix, string upstream, string? secret = null) =>
        (HttpStatusCode.OK, new JsonObject { ["pullThroughCacheRules"] = new JsonArray(new JsonObject { ["ecrRepositoryPrefix"] = prefix, ["upstreamRegistryUrl"] = upstream, ["credentialArn"] = secret is null ? null : $"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{secret}" }) }.ToJsonString());

    private static (HttpStatusCode, string) Error(string code, string message) =>
        (HttpStatusCode.BadRequest, new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());

    [Fact]
    public async Task Rules_that_exist_as_configured_pass_and_the_probe_finds_the_manifest()
    {
        var problems = await RunAsync(Cache("docker-hub=registry-1.docker.io,ecr-public=public.ecr.aws", "alpine:3.20"),
            prefix => prefix == "docker-hub" ? Rule(prefix, "registry-1.docker.io", "ecr-pullthroughcache/docker-hub-AbCdEf") : Rule(prefix, "public.ecr.aws"));

        Assert.Empty(problems);
        Assert.Contains("pull-through: rule docker-hub -> registry-1.docker.io, secret ecr-pullthroughcache/docker-hub-AbCdEf", _info);
        Assert.Contains("pull-through: rule ecr-public -> public.ecr.aws", _info);
        Assert.Contains(_info, i => i.StartsWith($"pull-through: {Registry}/docker-hub/library/alpine:3.20: manifest found (through docker-hub from registry-1.docker.io)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_rule_another_upstream_and_a_rule_without_its_secret_are_each_a_problem_with_the_command_that_fixes_it()
    {
        var problems = await RunAsync(Cache("docker-hub=registry-1.docker.io,ghcr=ghcr.io,quay=quay.io"), prefix => prefix switch
        {
            "docker-hub" => Error("PullThroughCacheRuleNotFoundException", "The pull through cache rule was not found."),
            "ghcr" => Rule(prefix, "ghcr.io", "other-secret"),
            _ => Rule(prefix, "registry.k8s.io"),
        });

        Assert.Equal(3, problems.Count);
        Assert.Contains($"pull-through rule docker-hub of {Registry} does not exist (PullThroughCacheRuleNotFoundException: The pull through cache rule was not found.). Fix: create it: aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1.docker.io --region eu-west-1 --credential-arn <the ARN of a secret ecr-pullthroughcache/<name>>", problems[0]);
        Assert.Contains("names no ecr-pullthroughcache/… secret (arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-secret), which GitHub Container Registry needs", problems[1]);
        Assert.Contains("pull-through rule quay of " + Registry + " caches registry.k8s.io, not quay.io. Fix: set PULL_THROUGH_CACHE to quay=registry.k8s.io", problems[2]);
    }

    [Fact]
    public async Task An_identity_that_may_not_describe_rules_gets_a_warning_and_the_probe_still_decides()
    {
        var problems = await RunAsync(Cache("docker-hub=registry-1.docker.io", "alpine:3.20"),
            _ => Error("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:DescribePullThroughCacheRules"),
            (HttpStatusCode.Forbidden, """{"errors":[{"code":"DENIED","message":"The authentication to the upstream registry failed. Verify that the credentials are correct."}]}"""));

        var warning = Assert.Single(_warnings);
        Assert.Contains("could not be checked: the identity may not call ecr:DescribePullThroughCacheRules", warning);
        Assert.Contains("Pulls do not need it", warning);
        var problem = Assert.Single(problems);
        Assert.StartsWith($"pull-through probe {Registry}/docker-hub/library/alpine:3.20 failed: ECR could not sign in to Docker Hub", problem);
        Assert.Contains("Fix: create (or fix) the secret ecr-pullthroughcache/<name>", problem);
    }

    [Fact]
    public async Task Without_a_probe_image_the_rules_are_checked_and_the_skipped_probe_is_named()
    {
        var problems = await RunAsync(Cache("ecr-public=public.ecr.aws"), prefix => Rule(prefix, "public.ecr.aws"));

        Assert.Empty(problems);
        Assert.Contains(_info, i => i.StartsWith("pull-through: no pull probe (set PULL_THROUGH_PROBE_IMAGE", StringComparison.Ordinal));
    }

    private sealed class Handler(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request);
    }
}
