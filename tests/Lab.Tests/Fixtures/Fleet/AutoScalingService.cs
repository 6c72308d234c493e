using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lab.Fixtures.Fleet;

/// <summary>Amazon EC2 Auto Scaling, awsQuery (form in, XML out): <c>DescribeAutoScalingGroups</c> by name, in the documented shape.</summary>
internal sealed partial class AutoScalingService(FleetWorld world) : EmulatedService
{
    public const string Version = "2011-01-01";
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    public override string Name => "autoscaling";

    public override string? Operation(SigV4Request request) => QueryForm.Parameter(request, "Action");

    public override string? RegionFromHost(string host) => Host().Match(HostName(host)) is { Success: true } m ? m.Groups["region"].Value : null;

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
        var action = QueryForm.Parameter(call.Request, "Action");
        if (action != "DescribeAutoScalingGroups" || QueryForm.Parameter(call.Request, "Version") != Version)
            return Error(400, "InvalidAction", $"Could not find operation {action} for version {QueryForm.Parameter(call.Request, "Version")}", call.RequestId);

        var groups = QueryForm.Members(call.Request, "AutoScalingGroupNames.member.").Select(name => world.Group(call.Region, name)).OfType<EmulatedGroup>();
        var xml = new XElement(Ns + "DescribeAutoScalingGroupsResponse",
            new XElement(Ns + "DescribeAutoScalingGroupsResult",
                new XElement(Ns + "AutoScalingGroups", groups.Select(Member))),
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", call.RequestId)));
        return new AwsResponse(200, "text/xml", xml.ToString(), AwsRequestLog.Ok);
    }

    private static XElement Member(EmulatedGroup group) =>
        new(Ns + "member",
            new XElement(Ns + "AutoScalingGroupName", group.Name),
            new XElement(Ns + "AutoScalingGroupARN", $"arn:aws:autoscaling:{group.Region}:123456789012:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/{group.Name}"),
            group.LaunchTemplateId is null ? null : new XElement(Ns + "LaunchTemplate",
                new XElement(Ns + "LaunchTemplateId", group.LaunchTemplateId),
                new XElement(Ns + "LaunchTemplateName", group.Name),
                new XElement(Ns + "Version", group.LaunchTemplateVersion)),
            new XElement(Ns + "MinSize", group.MinSize),
            new XElement(Ns + "MaxSize", group.MaxSize),
            new XElement(Ns + "DesiredCapacity", group.DesiredCapacity),
            new XElement(Ns + "Instances", (group.InstanceIds ?? []).Select(id => new XElement(Ns + "member",
                new XElement(Ns + "InstanceId", id),
                new XElement(Ns + "AvailabilityZone", group.Region + "a"),
                new XElement(Ns + "LifecycleState", "InService"),
                new XElement(Ns + "HealthStatus", "Healthy"),
                new XElement(Ns + "ProtectedFromScaleIn", group.NewInstancesProtectedFromScaleIn ? "true" : "false")))),
            new XElement(Ns + "SuspendedProcesses", (group.SuspendedProcesses ?? []).Select(p => new XElement(Ns + "member",
                new XElement(Ns + "ProcessName", p),
                new XElement(Ns + "SuspensionReason", "User suspended at 2026-12-01T10:00:00Z")))),
            new XElement(Ns + "NewInstancesProtectedFromScaleIn", group.NewInstancesProtectedFromScaleIn ? "true" : "false"));

    private static AwsResponse Error(int status, string code, string message, string requestId) =>
        new(status, "text/xml",
            new XElement(Ns + "ErrorResponse",
                new XElement(Ns + "Error", new XElement(Ns + "Type", "Sender"), new XElement(Ns + "Code", code), new XElement(Ns + "Message", message)),
                new XElement(Ns + "RequestId", requestId)).ToString(),
            code);

    [GeneratedRegex(@"^autoscaling(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com$")]
    private static partial Regex Host();
}
