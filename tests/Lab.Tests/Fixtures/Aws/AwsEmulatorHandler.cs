using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lab.Fixtures.Aws;

/// <summary>Reads a request, authenticates it like AWS does (key, scope, signature), runs the operation, records and answers.</summary>
internal sealed class AwsEmulatorHandler(
    EcrService ecr, EcrPublicService ecrPublic, StsService sts, Func<string, AwsKey?> keyOf, AwsRequestLog log, TimeProvider time,
    params EmulatedService[] byScope)
{
    private const long MaxBodyBytes = 1 << 20;

    public async Task HandleAsync(HttpContext context)
    {
        var now = time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString();
        var request = await ReadAsync(context);
        SigV4Authorization.TryParse(request.Header("Authorization"), out var authorization);
        var service = Classify(request, authorization);
        var call = new AwsCall(request, requestId, authorization);

        var response = Authenticate(service, call) ?? service.Invoke(call, now);

        // Recorded before the response is sent: a client that has its answer finds its record.
        log.Add(new AwsRequestRecord(now, context.Connection.RemoteIpAddress?.ToString() ?? "", request.Header("Host"),
            service.Name, service.Operation(request), authorization?.AccessKeyId, authorization?.Scope.Region,
            response.Outcome, response.Status, [.. call.RegistryIds], authorization?.SignedHeaders ?? [],
            request.Header("User-Agent"), requestId));

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    /// <summary>Null when the call is authentic; otherwise the error AWS would send.</summary>
    private AwsResponse? Authenticate(EmulatedService service, AwsCall call)
    {
        if (call.Authorization is not { } auth) return service.AuthError(AuthFailure.MissingAuthenticationToken, null, call.RequestId);

        if (keyOf(auth.AccessKeyId) is not { } key || key.SessionToken != call.Request.Header("X-Amz-Security-Token"))
            return service.AuthError(AuthFailure.UnknownAccessKey, null, call.RequestId);
        call.Key = key;

        if (auth.Scope.Service != service.Name)
            return service.AuthError(AuthFailure.InvalidSignature,
                $"Credential should be scoped to correct service: '{service.Name}'. ", call.RequestId);
        if (service.RegionFromHost(call.Request.Header("Host") ?? "") is { } hostRegion && hostRegion != auth.Scope.Region)
            return service.AuthError(AuthFailure.InvalidSignature, "Credential should be scoped to a valid region. ", call.RequestId);

        return SigV4Verifier.Verify(call.Request, auth, key.SecretAccessKey) switch
        {
            SigV4Outcome.Valid => key.SessionExpired ? service.AuthError(AuthFailure.ExpiredToken, null, call.RequestId) : null,
            SigV4Outcome.MissingDate => service.AuthError(AuthFailure.IncompleteSignature,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", call.RequestId),
            SigV4Outcome.ScopeDateMismatch => service.AuthError(AuthFailure.InvalidSignature,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + $"'{auth.Scope.Date}' != '{call.Request.Header("X-Amz-Date")}'.", call.RequestId),
            _ => service.AuthError(AuthFailure.InvalidSignature, null, call.RequestId),
        };
    }

    /// <summary>Which service a request is for, from its shape (all share one endpoint here).</summary>
    private EmulatedService Classify(SigV4Request request, SigV4Authorization? authorization)
    {
        var contentType = request.Header("Content-Type") ?? "";
        // Auto Scaling and EC2 are form-encoded like STS: their signature's scope names them.
        if (byScope.FirstOrDefault(s => s.Name == authorization?.Scope.Service) is { } scoped)
            return scoped;
        if (request.Header("X-Amz-Target") is { } target && target.StartsWith(EcrPublicService.TargetPrefix, StringComparison.Ordinal))
            return ecrPublic;
        if (request.Header("X-Amz-Target") is not null || contentType.Contains("x-amz-json", StringComparison.OrdinalIgnoreCase))
            return ecr;
        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return sts;
        if (authorization?.Scope.Service == sts.Name) return sts;
        return (request.Header("Host") ?? "").StartsWith("sts", StringComparison.OrdinalIgnoreCase) ? sts : ecr;
    }

    private static async Task<SigV4Request> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBodyBytes;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);

        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw)) raw = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        var q = raw.IndexOf('?');
        var headers = context.Request.Headers
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")))
            .ToList();
        return new SigV4Request(context.Request.Method, q < 0 ? raw : raw[..q], q < 0 ? "" : raw[(q + 1)..], headers, body.ToArray());
    }
}
