using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lab.Fixtures.Aws;

/// <summary>
/// Amazon ECR Public, awsJson1.1 (<c>SpencerFrontendService</c>): <c>GetAuthorizationToken</c> only, in us-east-1 alone,
/// answering one <c>authorizationData</c> object without a proxy endpoint. An identity needs both
/// ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken for it, as AWS documents.
/// </summary>
internal sealed partial class EcrPublicService(Func<string?> password, Func<TimeSpan> tokenLifetime) : EmulatedService
{
    public const string TargetPrefix = "SpencerFrontendService.";
    public const string Region = "us-east-1";

    public override string Name => "ecr-public";

    public override string? Operation(SigV4Request request) =>
        request.Header("X-Amz-Target") is { } target ? target[(target.IndexOf('.') + 1)..] : null;

    public override string? RegionFromHost(string host) =>
        PublicHost().Match(HostName(host)) is { Success: true } m ? m.Groups["region"].Value : null;

    public override AwsResponse AuthError(AuthFailure failure, string? detail, string requestId) => EcrService.AuthErrorOf(failure, detail, requestId);

    public override AwsResponse Invoke(AwsCall call, DateTimeOffset now)
    {
        var target = call.Request.Header("X-Amz-Target");
        if (target != TargetPrefix + "GetAuthorizationToken")
            return EcrService.Error(400, "UnknownOperationException", $"Unknown operation: {target ?? "(no X-Amz-Target)"}", call.RequestId);
        if (call.Region != Region || password() is not { } secret)
            return EcrService.Error(400, "UnrecognizedClientException", $"ECR Public is not served in {call.Region} here (only {Region}).", call.RequestId);

        foreach (var (allowed, action) in new[] { (call.Key!.MayGetPublicToken, "ecr-public:GetAuthorizationToken"), (call.Key.MayGetServiceBearerToken, "sts:GetServiceBearerToken") })
        {
            if (!allowed)
                return EcrService.Error(400, "AccessDeniedException",
                    $"User: {call.Key.Arn} is not authorized to perform: {action} on resource: * because no identity-based policy allows the {action} action",
                    call.RequestId);
        }

        var data = new JsonObject
        {
            ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + secret)),
            ["expiresAt"] = Math.Round((now + tokenLifetime()).ToUnixTimeMilliseconds() / 1000.0, 3),
        };
        return new AwsResponse(200, EcrService.ContentType, new JsonObject { ["authorizationData"] = data }.ToJsonString(), AwsRequestLog.Ok);
    }

    [GeneratedRegex(@"^api\.ecr-public\.(?<region>[a-z0-9-]+)\.amazonaws\.com$")]
    private static partial Regex PublicHost();
}
