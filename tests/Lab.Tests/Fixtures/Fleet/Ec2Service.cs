using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lab.Fixtures.Fleet;

/// <summary>Amazon EC2's Query API (ec2 protocol: form in, XML out): <c>DescribeLaunchTemplateVersions</c> and <c>DescribeInstances</c>, in the documented shapes and errors.</summary>
internal sealed partial class Ec2Service(FleetWorld world) : EmulatedService
{
    public const string Version = "2016-11-15";
    private static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public override string Name => "ec2";

    public override string? Operation(SigV4Request request) => QueryForm.Parameter(request, "Action");

    public override string? RegionFromHost(string host) => Host().Match(HostName(host)) is { Success: true } m ? m.Groups["region"].Value : null;

    public override AwsResponse AuthError(AuthFailure failure, string? detail, string requestId) => failure switch
    {
        AuthFailure.MissingAuthenticationToken => Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials", requestId),
        AuthFailure.UnknownAccessKey => Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials", requestId),
        AuthFailure.ExpiredToken => Error(400, "RequestExpired", ExpiredTokenMessage, requestId),
        _ => Error(401, "AuthFailure", detail ?? SignatureMismatchMessage, requestId),
    };

    public override AwsResponse Invoke(AwsCall call, DateTimeOffset now)
    {
        var action = QueryForm.Parameter(call.Request, "Action");
        if (QueryForm.Parameter(call.Request, "Version") != Version)
            return Error(400, "InvalidParameterValue", "Unsupported Version", call.RequestId);
        return action switch
        {
            "DescribeLaunchTemplateVersions" => LaunchTemplateVersions(call),
            "DescribeInstances" => Instances(call),
            _ => Error(400, "InvalidAction", $"The action {action} is not valid for this web service.", call.RequestId),
        };
    }

    private AwsResponse LaunchTemplateVersions(AwsCall call)
    {
        var id = QueryForm.Parameter(call.Request, "LaunchTemplateId") ?? "";
        var versions = QueryForm.Members(call.Request, "LaunchTemplateVersion.").DefaultIfEmpty("$Default").Select(v => world.Template(id, v)).ToList();
        if (versions.Any(v => v is null))
            return Error(400, "InvalidLaunchTemplateId.NotFound", $"The specified launch template, with template ID {id}, does not exist.", call.RequestId);
        var xml = new XElement(Ns + "DescribeLaunchTemplateVersionsResponse",
            new XElement(Ns + "requestId", call.RequestId),
            new XElement(Ns + "launchTemplateVersionSet", versions.Select(t => new XElement(Ns + "item",
                new XElement(Ns + "launchTemplateId", t!.Id),
                new XElement(Ns + "launchTemplateName", "ci-workers"),
                new XElement(Ns + "versionNumber", t.Version),
                new XElement(Ns + "defaultVersion", "true"),
                new XElement(Ns + "launchTemplateData",
                    t.InstanceProfileArn is null ? null : new XElement(Ns + "iamInstanceProfile", new XElement(Ns + "arn", t.InstanceProfileArn)),
                    new XElement(Ns + "metadataOptions",
                        new XElement(Ns + "httpTokens", t.HttpTokens),
                        new XElement(Ns + "httpPutResponseHopLimit", t.HopLimit),
                        new XElement(Ns + "httpEndpoint", "enabled")))))));
        return new AwsResponse(200, "text/xml", xml.ToString(), AwsRequestLog.Ok);
    }

    private AwsResponse Instances(AwsCall call)
    {
        var ids = QueryForm.Members(call.Request, "InstanceId.").ToList();
        if (ids.FirstOrDefault(id => world.Instance(id) is null) is { } missing)
            return Error(400, "InvalidInstanceID.NotFound", $"The instance ID '{missing}' does not exist", call.RequestId);
        var xml = new XElement(Ns + "DescribeInstancesResponse",
            new XElement(Ns + "requestId", call.RequestId),
            new XElement(Ns + "reservationSet", ids.Select(id => world.Instance(id)!).Select(i => new XElement(Ns + "item",
                new XElement(Ns + "reservationId", "r-" + i.Id[2..]),
                new XElement(Ns + "instancesSet", new XElement(Ns + "item",
                    new XElement(Ns + "instanceId", i.Id),
                    new XElement(Ns + "instanceState", new XElement(Ns + "code", i.State == "running" ? 16 : 0), new XElement(Ns + "name", i.State)),
                    i.PrivateIp is null ? null : new XElement(Ns + "privateIpAddress", i.PrivateIp),
                    i.InstanceProfileArn is null ? null : new XElement(Ns + "iamInstanceProfile", new XElement(Ns + "arn", i.InstanceProfileArn), new XElement(Ns + "id", "AIPAEXAMPLE")),
                    new XElement(Ns + "metadataOptions", new XElement(Ns + "httpTokens", "required"))))))));
        return new AwsResponse(200, "text/xml", xml.ToString(), AwsRequestLog.Ok);
    }

    /// <summary>EC2's error shape: <c>Response/Errors/Error/{Code,Message}</c> and <c>RequestID</c>.</summary>
    private static AwsResponse Error(int status, string code, string message, string requestId) =>
        new(status, "text/xml",
            new XElement("Response",
                new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
                new XElement("RequestID", requestId)).ToString(),
            code);

    [GeneratedRegex(@"^ec2(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com$")]
    private static partial Regex Host();
}
