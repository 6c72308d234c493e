using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lab.Fixtures.Aws;

/// <summary>AWS STS, awsQuery (form in, XML out): <c>GetCallerIdentity</c> only.</summary>
internal sealed partial class StsService : EmulatedService
{
    public const string Version = "2011-06-15";
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public override string Name => "sts";

    public override string? Operation(SigV4Request request) => Parameter(request, "Action");

    public override string? RegionFromHost(string host)
    {
        var name = HostName(host);
        if (name is "sts.amazonaws.com") return "us-east-1";
        return StsHost().Match(name) is { Success: true } m ? m.Groups["region"].Value : null;
    }

    public override AwsResponse AuthError(AuthFailure failure, string? detail, string requestId) => failure switch
    {
        AuthFailure.MissingAuthenticationToken => Error(403, "MissingAuthenticationToken", "Request is missing Authentication Token", requestId),
        AuthFailure.UnknownAccessKey => Error(403, "InvalidClientTokenId", InvalidTokenMessage, requestId),
        AuthFailure.IncompleteSignature => Error(400, "IncompleteSignature", detail ?? "Incomplete signature", requestId),
        AuthFailure.ExpiredToken => Error(403, "ExpiredToken", ExpiredTokenMessage, requestId),
        _ => Error(403, "SignatureDoesNotMatch", detail ?? SignatureMismatchMessage, requestId),
    };

    public override AwsResponse Invoke(AwsCall call, DateTimeOffset now)
    {
        var action = Parameter(call.Request, "Action");
        var version = Parameter(call.Request, "Version");
        if (action != "GetCallerIdentity" || version != Version)
            return Error(400, "InvalidAction", $"Could not find operation {action} for version {version}", call.RequestId);

        var key = call.Key!;
        var xml = new XElement(Ns + "GetCallerIdentityResponse",
            new XElement(Ns + "GetCallerIdentityResult",
                new XElement(Ns + "Arn", key.Arn),
                new XElement(Ns + "UserId", key.UserId ?? key.AccessKeyId),
                new XElement(Ns + "Account", key.AccountId)),
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", call.RequestId)));
        return new AwsResponse(200, "text/xml", xml.ToString(), AwsRequestLog.Ok);
    }

    /// <summary>awsQuery error: <c>ErrorResponse/Error/{Type,Code,Message}</c> and <c>RequestId</c>.</summary>
    private static AwsResponse Error(int status, string code, string message, string requestId) =>
        new(status, "text/xml",
            new XElement(Ns + "ErrorResponse",
                new XElement(Ns + "Error",
                    new XElement(Ns + "Type", "Sender"),
                    new XElement(Ns + "Code", code),
                    new XElement(Ns + "Message", message)),
                new XElement(Ns + "RequestId", requestId)).ToString(),
            code);

    /// <summary>A form parameter of the body (awsQuery sends them there), or null.</summary>
    private static string? Parameter(SigV4Request request, string name) =>
        System.Text.Encoding.UTF8.GetString(request.Body.Span)
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(kv => Uri.UnescapeDataString(kv[0].Replace('+', ' ')) == name)
            .Select(kv => kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "")
            .FirstOrDefault();

    [GeneratedRegex(@"^sts(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")]
    private static partial Regex StsHost();
}
