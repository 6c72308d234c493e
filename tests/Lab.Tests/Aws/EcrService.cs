using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lab.Aws;

/// <summary>Amazon ECR, awsJson1.1: <c>GetAuthorizationToken</c> only.</summary>
internal sealed partial class EcrService(Func<string, string, string?> passwordOf, Func<TimeSpan> tokenLifetime) : EmulatedService
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    public const string ContentType = "application/x-amz-json-1.1";

    public override string Name => "ecr";

    public override string? Operation(SigV4Request request) =>
        request.Header("X-Amz-Target") is { } target ? target[(target.IndexOf('.') + 1)..] : null;

    public override string? RegionFromHost(string host) =>
        EcrHost().Match(HostName(host)) is { Success: true } m ? m.Groups["region"].Value : null;

    public override AwsResponse AuthError(AuthFailure failure, string? detail, string requestId) => failure switch
    {
        AuthFailure.MissingAuthenticationToken => Error(403, "MissingAuthenticationTokenException", "Missing Authentication Token", requestId),
        AuthFailure.UnknownAccessKey => Error(400, "UnrecognizedClientException", InvalidTokenMessage, requestId),
        AuthFailure.IncompleteSignature => Error(400, "IncompleteSignatureException", detail ?? "Incomplete signature", requestId),
        AuthFailure.ExpiredToken => Error(400, "ExpiredTokenException", ExpiredTokenMessage, requestId),
        _ => Error(403, "InvalidSignatureException", detail ?? SignatureMismatchMessage, requestId),
    };

    public override AwsResponse Invoke(AwsCall call, DateTimeOffset now)
    {
        var target = call.Request.Header("X-Amz-Target");
        if (target != TargetPrefix + "GetAuthorizationToken")
            return Error(400, "UnknownOperationException", $"Unknown operation: {target ?? "(no X-Amz-Target)"}", call.RequestId);

        if (!call.Key!.MayGetEcrToken)
            return Error(400, "AccessDeniedException",
                $"User: {call.Key.Arn} is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
                call.RequestId);

        JsonNode? input;
        try
        {
            input = call.Request.Body.IsEmpty ? new JsonObject() : JsonNode.Parse(call.Request.Body.Span.ToArray());
        }
        catch (JsonException)
        {
            return Error(400, "SerializationException", "The request body is not valid JSON.", call.RequestId);
        }

        if (input?["registryIds"] is JsonArray ids)
        {
            if (ids.Count == 0 || ids.Any(i => i?.GetValueKind() != JsonValueKind.String || !AccountId().IsMatch(i.GetValue<string>())))
                return Error(400, "InvalidParameterException",
                    "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'",
                    call.RequestId);
            call.RegistryIds.AddRange(ids.Select(i => i!.GetValue<string>()));
        }
        else call.RegistryIds.Add(call.Key!.AccountId);

        var data = new JsonArray();
        var expiresAt = Math.Round((now + tokenLifetime()).ToUnixTimeMilliseconds() / 1000.0, 3);
        foreach (var id in call.RegistryIds)
        {
            if (passwordOf(id, call.Region) is not { } password)
                return Error(400, "InvalidParameterException",
                    $"Invalid parameter at 'registryIds': registry {id} does not exist in region {call.Region} (not configured in the emulator).",
                    call.RequestId);
            data.Add(new JsonObject
            {
                ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)),
                ["expiresAt"] = expiresAt,
                ["proxyEndpoint"] = $"https://{id}.dkr.ecr.{call.Region}.amazonaws.com",
            });
        }
        return new AwsResponse(200, ContentType, new JsonObject { ["authorizationData"] = data }.ToJsonString(), AwsRequestLog.Ok);
    }

    /// <summary>awsJson error: <c>{"__type","message"}</c>, the code again in <c>X-Amzn-ErrorType</c>, and the request id.</summary>
    private static AwsResponse Error(int status, string code, string message, string requestId) =>
        new(status, ContentType,
            new JsonObject { ["__type"] = code, ["message"] = message, ["requestId"] = requestId }.ToJsonString(), code)
        {
            Headers = new Dictionary<string, string> { ["X-Amzn-ErrorType"] = code },
        };

    [GeneratedRegex(@"^(?:api\.ecr|ecr-fips)\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")]
    private static partial Regex EcrHost();

    [GeneratedRegex(@"^[0-9]{12}$")]
    private static partial Regex AccountId();
}
