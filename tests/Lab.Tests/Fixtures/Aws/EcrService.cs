using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lab.Fixtures.Aws;

/// <summary>Amazon ECR, awsJson1.1: <c>GetAuthorizationToken</c> and <c>DescribePullThroughCacheRules</c>.</summary>
internal sealed partial class EcrService(Func<string, string, string?> passwordOf, Func<TimeSpan> tokenLifetime, Func<IReadOnlyList<PullThroughCacheRule>> rules) : EmulatedService
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    public const string ContentType = "application/x-amz-json-1.1";

    public override string Name => "ecr";

    public override string? Operation(SigV4Request request) =>
        request.Header("X-Amz-Target") is { } target ? target[(target.IndexOf('.') + 1)..] : null;

    public override string? RegionFromHost(string host) =>
        EcrHost().Match(HostName(host)) is { Success: true } m ? m.Groups["region"].Value : null;

    public override AwsResponse AuthError(AuthFailure failure, string? detail, string requestId) => AuthErrorOf(failure, detail, requestId);

    /// <summary>The awsJson authentication errors, shared with ECR Public.</summary>
    internal static AwsResponse AuthErrorOf(AuthFailure failure, string? detail, string requestId) => failure switch
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
        if (target == TargetPrefix + "DescribePullThroughCacheRules")
            return DescribePullThroughCacheRules(call);
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

    /// <summary>
    /// The rules of the caller's (or <c>registryId</c>'s) registry in the signing region, filtered by
    /// <c>ecrRepositoryPrefixes</c>: a prefix without a rule is PullThroughCacheRuleNotFoundException, a malformed one
    /// ValidationException, and an identity without the action AccessDeniedException (the operation's documented errors).
    /// </summary>
    private AwsResponse DescribePullThroughCacheRules(AwsCall call)
    {
        if (!call.Key!.MayDescribePullThroughCacheRules)
            return Error(400, "AccessDeniedException",
                $"User: {call.Key.Arn} is not authorized to perform: ecr:DescribePullThroughCacheRules on resource: arn:aws:ecr:{call.Region}:{call.Key.AccountId}:registry/{call.Key.AccountId} because no identity-based policy allows the ecr:DescribePullThroughCacheRules action",
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

        var registry = input?["registryId"]?.GetValue<string>() ?? call.Key.AccountId;
        call.RegistryIds.Add(registry);
        var prefixes = input?["ecrRepositoryPrefixes"] is JsonArray array ? array.Select(p => p?.GetValue<string>() ?? "").ToList() : null;
        if (prefixes?.FirstOrDefault(p => !Prefix().IsMatch(p)) is { } bad)
            return Error(400, "ValidationException",
                $"1 validation error detected: Value '[{bad}]' at 'ecrRepositoryPrefixes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 30, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*]",
                call.RequestId);

        var found = rules().Where(r => r.AccountId == registry && r.Region == call.Region && (prefixes is null || prefixes.Contains(r.Prefix))).ToList();
        if (prefixes?.FirstOrDefault(p => found.All(r => r.Prefix != p)) is { } missing)
            return Error(400, "PullThroughCacheRuleNotFoundException",
                $"The pull through cache rule with prefix '{missing}' does not exist in the registry with id '{registry}' (not configured in the emulator).", call.RequestId);

        var list = new JsonArray([.. found.Select(r => (JsonNode)new JsonObject
        {
            ["ecrRepositoryPrefix"] = r.Prefix,
            ["upstreamRegistryUrl"] = r.UpstreamRegistryUrl,
            ["registryId"] = r.AccountId,
            ["credentialArn"] = r.CredentialArn,
            ["createdAt"] = 1.7E9,
        })]);
        return new AwsResponse(200, ContentType, new JsonObject { ["pullThroughCacheRules"] = list }.ToJsonString(), AwsRequestLog.Ok);
    }

    /// <summary>awsJson error: <c>{"__type","message"}</c>, the code again in <c>X-Amzn-ErrorType</c>, and the request id.</summary>
    internal static AwsResponse Error(int status, string code, string message, string requestId) =>
        new(status, ContentType,
            new JsonObject { ["__type"] = code, ["message"] = message, ["requestId"] = requestId }.ToJsonString(), code)
        {
            Headers = new Dictionary<string, string> { ["X-Amzn-ErrorType"] = code },
        };

    [GeneratedRegex(@"^(?:api\.ecr|ecr-fips)\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")]
    private static partial Regex EcrHost();

    [GeneratedRegex(@"^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")]
    private static partial Regex Prefix();
}
