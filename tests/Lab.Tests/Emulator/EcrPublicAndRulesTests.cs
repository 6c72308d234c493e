using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Lab.Emulator;

/// <summary>
/// The emulator's ECR Public GetAuthorizationToken and ECR DescribePullThroughCacheRules, with AWS's shapes and errors;
/// and the build's own SigV4 signer (EcrApi) verified by it.
/// </summary>
public sealed class EcrPublicAndRulesTests(LabPkiFixture pki) : EmulatorTestBase(pki)
{
    private const string PublicPassword = "public-registry-password";
    private const string SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-Ab12Cd";

    protected override AwsEmulatorOptions CreateOptions()
    {
        var options = LabIdentities.Options(Pki);
        return new AwsEmulatorOptions
        {
            ServerCertificate = options.ServerCertificate,
            Keys = [.. options.Keys, NoPublic, NoBearer, NoDescribe],
            Registries = options.Registries,
            PublicPassword = PublicPassword,
            PullThroughCacheRules =
            [
                new PullThroughCacheRule(LabIdentities.Account, "us-east-1", "docker-hub", "registry-1.docker.io", SecretArn),
                new PullThroughCacheRule(LabIdentities.Account, "us-east-1", "ecr-public", "public.ecr.aws"),
            ],
        };
    }

    private static readonly AwsKey NoPublic = LabIdentities.Runner with { AccessKeyId = "AKIDLABNOPUBLIC00001", MayGetPublicToken = false };
    private static readonly AwsKey NoBearer = LabIdentities.Runner with { AccessKeyId = "AKIDLABNOBEARER00001", MayGetServiceBearerToken = false };
    private static readonly AwsKey NoDescribe = LabIdentities.Runner with { AccessKeyId = "AKIDLABNODESCRIBE001", MayDescribePullThroughCacheRules = false };

    private async Task<HttpResponseMessage> PublicTokenAsync(AwsKey key, string region = "us-east-1")
    {
        using var request = EcrRequests.Unsigned(Emulator.BaseAddress, $"api.ecr-public.{region}.amazonaws.com", "{}", "SpencerFrontendService.GetAuthorizationToken");
        await SigV4Signer.SignAsync(request, key.Credentials, region, "ecr-public", DateTimeOffset.UtcNow);
        return await Http.SendAsync(request);
    }

    [Fact]
    public async Task ECR_Public_gives_one_authorization_object_without_a_proxy_endpoint_signed_for_ecr_public_in_us_east_1()
    {
        using var response = await PublicTokenAsync(LabIdentities.Runner);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var data = json.RootElement.GetProperty("authorizationData");
        Assert.Equal(JsonValueKind.Object, data.ValueKind);
        Assert.False(data.TryGetProperty("proxyEndpoint", out _));
        Assert.Equal("AWS:" + PublicPassword, Encoding.UTF8.GetString(Convert.FromBase64String(data.GetProperty("authorizationToken").GetString()!)));
        var record = SingleRecord();
        Assert.Equal(("ecr-public", "GetAuthorizationToken", "us-east-1"), (record.Service, record.Operation, record.Region));
    }

    [Theory]
    [InlineData("AKIDLABNOPUBLIC00001", "ecr-public:GetAuthorizationToken")]
    [InlineData("AKIDLABNOBEARER00001", "sts:GetServiceBearerToken")]
    public async Task ECR_Public_refuses_an_identity_without_either_action_naming_it(string keyId, string action)
    {
        using var response = await PublicTokenAsync(keyId == NoPublic.AccessKeyId ? NoPublic : NoBearer);

        var (type, message, _) = await EcrRequests.ReadErrorAsync(response);
        Assert.Equal("AccessDeniedException", type);
        Assert.Contains($"is not authorized to perform: {action}", message);
    }

    [Fact]
    public async Task ECR_Public_in_another_region_is_refused()
    {
        using var response = await PublicTokenAsync(LabIdentities.Runner, "eu-west-1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnrecognizedClientException", (await EcrRequests.ReadErrorAsync(response)).Type);
    }

    [Fact]
    public async Task The_builds_own_signer_describes_a_rule_and_gets_each_documented_error()
    {
        // Given the build's ECR client, connected to this emulator under ECR's regional name
        Build.Aws.EcrRegistry.TryParse("123456789012.dkr.ecr.us-east-1.amazonaws.com", out var registry);
        var api = Api(LabIdentities.Runner);

        // When it describes a rule that exists, one that does not, a malformed prefix, and as an identity without the action
        var found = await api.DescribePullThroughCacheRuleAsync(registry!, "docker-hub", CancellationToken.None);
        var missing = await api.DescribePullThroughCacheRuleAsync(registry!, "ghcr", CancellationToken.None);
        var malformed = await api.DescribePullThroughCacheRuleAsync(registry!, "UPPER", CancellationToken.None);
        var denied = await Api(NoDescribe).DescribePullThroughCacheRuleAsync(registry!, "docker-hub", CancellationToken.None);

        // Then every signature verified, and each answer is read as AWS sends it
        Assert.Equal(new Build.Aws.DescribedRule("docker-hub", "registry-1.docker.io", SecretArn), found.Rule);
        Assert.Equal("PullThroughCacheRuleNotFoundException", missing.ErrorCode);
        Assert.Equal("ValidationException", malformed.ErrorCode);
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Contains("ecr:DescribePullThroughCacheRules", denied.Message);
        Assert.All(Emulator.Requests.Snapshot(), r => Assert.Equal(("ecr", "DescribePullThroughCacheRules", "us-east-1"), (r.Service, r.Operation, r.Region)));
        Assert.DoesNotContain(Emulator.Requests.Snapshot(), r => r.Outcome is "InvalidSignatureException" or "UnrecognizedClientException");
    }

    /// <summary>The build's EcrApi with a handler that reaches this emulator for api.ecr.us-east-1.amazonaws.com and trusts the test CA.</summary>
    private Build.Aws.EcrApi Api(AwsKey key)
    {
        var endpoint = Emulator.BoundEndpoints[0];
        var signing = new Build.Aws.AwsSigningKey(new Build.Secrets.Secret(key.AccessKeyId), new Build.Secrets.Secret(key.SecretAccessKey), null);
        return new Build.Aws.EcrApi(signing, null, handler: () =>
        {
            var handler = Pki.Authority.CreateHttpHandler();
            handler.ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            };
            return handler;
        });
    }
}
