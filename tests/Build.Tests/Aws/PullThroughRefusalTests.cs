using System.Net;
using System.Text;
using Build.Aws;
using Build.Docker;
using Build.Secrets;

namespace Build.Tests.Aws;

/// <summary>
/// How Preflight explains the refusals of a pull-through cache: the rule's check (DescribePullThroughCacheRules'
/// documented error codes, in AWS's awsJson shape) and the manifest request (the registry's error body), each with
/// its cause and fix. The answers are scripted here; the lab's emulator and registry answer the same calls for real.
/// </summary>
public sealed class PullThroughRefusalTests
{
    private static readonly EcrRegistry Registry = Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    private static readonly PullThroughRule DockerHub = new("docker-hub", PullThroughUpstream.Of("registry-1.docker.io"));
    private static readonly AwsSigningKey Key = new(new Secret("AKIDEXAMPLE0000000000"), new Secret("secret/EXAMPLEKEY0000000000000000000000000"), null);

    private static EcrRegistry Parse(string host) => EcrRegistry.TryParse(host, out var registry) ? registry! : throw new ArgumentException(host);

    private static PullThroughTranslation Via => DockerHub.Translate(ImageReference.TryParse("alpine:3.20", out var image) ? image! : null!, Registry);

    public static TheoryData<int, string, string, string> ManifestRefusals => new()
    {
        // ECR's DENIED with IAM's wording for the import's actions.
        { 403, """{"errors":[{"code":"DENIED","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchImportUpstreamImage on resource: arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/library/alpine"}]}""",
            "ecr:BatchImportUpstreamImage is not allowed", "allow ecr:BatchImportUpstreamImage and ecr:CreateRepository on arn:aws:ecr:<region>:<account>:repository/docker-hub/*" },
        { 403, """{"errors":[{"code":"DENIED","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/library/alpine"}]}""",
            "ecr:CreateRepository is not allowed", "ecr:CreateRepository is needed while the cached repository does not exist yet" },
        // The phrase docker shows for a Docker Hub rule whose secret is gone or wrong.
        { 403, """{"errors":[{"code":"DENIED","message":"The authentication to the upstream registry failed. Verify that the credentials are correct."}]}""",
            "ECR could not sign in to Docker Hub (registry-1.docker.io) for the rule docker-hub: its Secrets Manager secret is missing", "create (or fix) the secret ecr-pullthroughcache/<name>" },
        { 403, """{"errors":[{"code":"DENIED","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/library/alpine"}]}""",
            "the identity may not pull from this repository", "allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer" },
        { 401, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", "the registry did not accept the helper's token", "run ./build.sh --target=Preflight again" },
        { 404, """{"errors":[{"code":"NAME_UNKNOWN","message":"The repository with name 'docker-hub/alpine' does not exist in the registry with id '123456789012'"}]}""",
            "no image registry-1.docker.io/library/alpine:3.20 upstream, or no rule docker-hub", "Docker Hub's official images need library/" },
        { 429, """{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}""", "Docker Hub refused the import for its rate limit", "the secret's account decides the upstream's limit" },
        { 500, "<html>proxy error</html>", "the registry refused the manifest request (HTTP 500: <html>proxy error</html>)", "read the registry's answer above" },
    };

    [Theory]
    [MemberData(nameof(ManifestRefusals))]
    public void A_refused_manifest_request_is_explained_with_its_cause_and_fix(int status, string body, string cause, string fix)
    {
        var answer = ManifestProbe.Explain(status, body, Via);

        Assert.False(answer.Found);
        Assert.Contains(cause, answer.Cause);
        Assert.Contains(fix, answer.Fix);
    }

    [Fact]
    public async Task The_manifest_request_asks_the_prefix_path_with_the_token_as_basic_credentials_and_reads_the_digest()
    {
        // Given a registry answering the manifest with its digest
        var stub = new Stub(_ => Answer(HttpStatusCode.OK, "{}", ("Docker-Content-Digest", "sha256:abc")));
        var probe = new ManifestProbe(null, () => stub);
        ImageReference.TryParse(Via.Reference!, out var image);

        // When the probe asks for the pull-through image
        var answer = await probe.GetAsync(image!, "AWS", new Secret("registry-password"), Via, CancellationToken.None);

        // Then it found it, by GET /v2/<prefix>/<path>/manifests/<tag> with AWS:<token> and the manifest media types
        Assert.Equal((true, "sha256:abc"), (answer.Found, answer.Digest));
        var request = Assert.Single(stub.Requests);
        Assert.Equal($"https://{Registry.Host}/v2/docker-hub/library/alpine/manifests/3.20", request.Uri);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:registry-password")), request.Authorization);
        Assert.Contains("application/vnd.oci.image.index.v1+json", request.Accept);
        Assert.Contains("application/vnd.docker.distribution.manifest.v2+json", request.Accept);
    }

    public static TheoryData<HttpStatusCode, string, string?, string, string> DescribeErrors => new()
    {
        { HttpStatusCode.BadRequest, """{"__type":"PullThroughCacheRuleNotFoundException","message":"The pull through cache rule with prefix 'docker-hub' does not exist in the registry with id '123456789012'"}""", null,
            "PullThroughCacheRuleNotFoundException", "does not exist in the registry" },
        { HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.ecr#AccessDeniedException","message":"User is not authorized to perform: ecr:DescribePullThroughCacheRules"}""", null,
            "AccessDeniedException", "ecr:DescribePullThroughCacheRules" },
        { HttpStatusCode.BadRequest, """{"message":"1 validation error detected"}""", "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "ValidationException", "1 validation error detected" },
    };

    [Theory]
    [MemberData(nameof(DescribeErrors))]
    public async Task DescribePullThroughCacheRules_errors_are_read_as_AWS_sends_them(HttpStatusCode status, string body, string? errorType, string code, string message)
    {
        var stub = new Stub(_ => errorType is null ? Answer(status, body) : Answer(status, body, ("X-Amzn-ErrorType", errorType)));
        var api = new EcrApi(Key, null, handler: () => stub);

        var outcome = await api.DescribePullThroughCacheRuleAsync(Registry, "docker-hub", CancellationToken.None);

        Assert.Null(outcome.Rule);
        Assert.Equal(code, outcome.ErrorCode);
        Assert.Contains(message, outcome.Message);
    }

    [Fact]
    public async Task DescribePullThroughCacheRules_is_a_signed_awsJson_call_for_the_registrys_account_and_prefix()
    {
        // Given ECR answering with the rule
        var stub = new Stub(_ => Answer(HttpStatusCode.OK, """{"pullThroughCacheRules":[{"ecrRepositoryPrefix":"docker-hub","upstreamRegistryUrl":"registry-1.docker.io","registryId":"123456789012","credentialArn":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf","upstreamRegistry":"docker-hub","createdAt":1.7E9}]}"""));
        var api = new EcrApi(Key, null, handler: () => stub);

        // When the rule is described
        var outcome = await api.DescribePullThroughCacheRuleAsync(Registry, "docker-hub", CancellationToken.None);

        // Then the rule is read, and the request was ECR's operation at the regional endpoint, signed for ecr in the registry's region
        Assert.Equal(new DescribedRule("docker-hub", "registry-1.docker.io", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"), outcome.Rule);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", request.Uri);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.DescribePullThroughCacheRules", request.Target);
        Assert.Equal("""{"registryId":"123456789012","ecrRepositoryPrefixes":["docker-hub"]}""", request.Body);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE0000000000/\d{8}/eu-west-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$", request.Authorization);
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "ecr-fips.us-gov-west-1.amazonaws.com")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "api.ecr.cn-north-1.amazonaws.com.cn")]
    [InlineData("123456789012.dkr-ecr.eu-central-1.on.aws", "api.ecr.eu-central-1.amazonaws.com")]
    public void The_API_endpoint_follows_the_registrys_partition(string host, string endpoint) =>
        Assert.Equal(endpoint, EcrApi.Endpoint(Parse(host)));

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    private sealed record Seen(string Uri, string? Authorization, string Accept, string? Target, string Body);

    /// <summary>Answers every request with the script's response and keeps what it was sent.</summary>
    private sealed class Stub(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<Seen> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new Seen(
                request.RequestUri!.ToString(),
                request.Headers.TryGetValues("Authorization", out var auth) ? auth.Single() : null,
                string.Join(", ", request.Headers.Accept),
                request.Headers.TryGetValues("X-Amz-Target", out var target) ? target.Single() : null,
                request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken)));
            return answer(request);
        }
    }
}
