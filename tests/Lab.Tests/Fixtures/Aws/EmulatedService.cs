using System.Text.RegularExpressions;

namespace Lab.Fixtures.Aws;

/// <summary>Authentication failures, before any operation runs; each service names and shapes them its own way.</summary>
internal enum AuthFailure { MissingAuthenticationToken, UnknownAccessKey, IncompleteSignature, InvalidSignature, ExpiredToken }

/// <summary>A response ready to write. <see cref="Outcome"/> is <c>ok</c> or the error code.</summary>
internal sealed record AwsResponse(int Status, string ContentType, string Body, string Outcome)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>One request on its way through the emulator.</summary>
internal sealed class AwsCall(SigV4Request request, string requestId, SigV4Authorization? authorization)
{
    public SigV4Request Request { get; } = request;
    public string RequestId { get; } = requestId;
    public SigV4Authorization? Authorization { get; } = authorization;
    public AwsKey? Key { get; set; }
    public List<string> RegistryIds { get; } = [];
    public string Region => Authorization?.Scope.Region ?? "";
}

/// <summary>What differs between the emulated services: how operations are named, how errors look, what they do.</summary>
internal abstract partial class EmulatedService
{
    /// <summary>Signing name, e.g. <c>ecr</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Operation named by the request (target header or Action parameter), or null.</summary>
    public abstract string? Operation(SigV4Request request);

    /// <summary>The region a service host name implies (e.g. <c>api.ecr.eu-west-1.amazonaws.com</c>), or null if it implies none.</summary>
    public abstract string? RegionFromHost(string host);

    public abstract AwsResponse AuthError(AuthFailure failure, string? detail, string requestId);

    /// <summary>Runs the operation of an authenticated call.</summary>
    public abstract AwsResponse Invoke(AwsCall call, DateTimeOffset now);

    /// <summary>Host header value, lower-cased, without its port.</summary>
    protected static string HostName(string host)
    {
        var m = HostPort().Match(host);
        return m.Success ? m.Groups[1].Value.ToLowerInvariant() : host.ToLowerInvariant();
    }

    [GeneratedRegex(@"^([^\[\]:]+):\d+$")]
    private static partial Regex HostPort();

    protected const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    protected const string InvalidTokenMessage = "The security token included in the request is invalid.";

    protected const string ExpiredTokenMessage = "The security token included in the request is expired";
}
