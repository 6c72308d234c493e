using System.Globalization;
using System.Xml.Linq;

namespace Build.Fleet;

/// <summary>An instance of the group as Auto Scaling lists it.</summary>
public sealed record GroupInstance(string Id, string LifecycleState, bool ProtectedFromScaleIn);

/// <summary>What Preflight reads of the Auto Scaling group.</summary>
public sealed record FleetGroup(
    string Name, int MinSize, int MaxSize, int DesiredCapacity, bool NewInstancesProtectedFromScaleIn, IReadOnlyList<string> SuspendedProcesses,
    string? LaunchTemplateId, string? LaunchTemplateVersion, IReadOnlyList<GroupInstance> Instances);

/// <summary>The launch template version's metadata options and instance profile.</summary>
public sealed record LaunchTemplateFacts(string Id, string Version, string? HttpTokens, int? HopLimit, string? InstanceProfile);

/// <summary>An instance as EC2 describes it: its state, its instance profile (null when it has none) and its addresses.</summary>
public sealed record InstanceFacts(string Id, string State, string? InstanceProfile, string? PrivateAddress = null, string? PublicAddress = null);

/// <summary>A call AWS refused, with its code and message.</summary>
public sealed class FleetApiException(string call, string code, string message) : Exception($"{call}: {code}: {message}")
{
    public string Call { get; } = call;

    public string Code { get; } = code;

    public string AwsMessage { get; } = message;
}

/// <summary>
/// The three describe calls Preflight makes of a fleet: Auto Scaling's DescribeAutoScalingGroups, and EC2's
/// DescribeLaunchTemplateVersions and DescribeInstances, at the region's endpoints (or <paramref name="endpoint"/>).
/// </summary>
public sealed class FleetApi(AwsQueryClient client, string region, Func<string, string>? endpoint = null)
{
    public const string AutoScalingVersion = "2011-01-01";
    public const string Ec2Version = "2016-11-15";

    /// <summary>The API as the manager's staged credentials (or its instance role) sign for it, in their region.</summary>
    public static async Task<FleetApi> ForAsync(Aws.StagedCredentials staged, Secrets.Redactor redactor, Aws.CaBundle? bundle, CancellationToken cancel) =>
        new(new AwsQueryClient(await Aws.Preflight.SigningKeyAsync(staged, redactor, cancel), bundle), staged.Region);

    /// <summary>The hosts asked, for a message about the network.</summary>
    public string Endpoints => $"{Host("autoscaling")} and {Host("ec2")}";

    private string Host(string service) => endpoint?.Invoke(service) ?? $"{service}.{region}.amazonaws.com";

    /// <summary>The group, or null when Auto Scaling knows no group of that name.</summary>
    public async Task<FleetGroup?> DescribeGroupAsync(string name, CancellationToken cancel)
    {
        var answer = await Call("autoscaling", AutoScalingVersion, "DescribeAutoScalingGroups", [new("AutoScalingGroupNames.member.1", name)], cancel);
        var group = Children(Child(Child(answer, "DescribeAutoScalingGroupsResult"), "AutoScalingGroups"), "member").FirstOrDefault();
        if (group is null)
        {
            return null;
        }

        var template = Child(group, "LaunchTemplate") ?? Child(Child(Child(group, "MixedInstancesPolicy"), "LaunchTemplate"), "LaunchTemplateSpecification");
        return new FleetGroup(
            Text(group, "AutoScalingGroupName") ?? name,
            Number(group, "MinSize") ?? 0,
            Number(group, "MaxSize") ?? 0,
            Number(group, "DesiredCapacity") ?? 0,
            Text(group, "NewInstancesProtectedFromScaleIn") == "true",
            [.. Children(Child(group, "SuspendedProcesses"), "member").Select(p => Text(p, "ProcessName") ?? string.Empty)],
            Text(template, "LaunchTemplateId"),
            Text(template, "Version"),
            [.. Children(Child(group, "Instances"), "member").Select(i => new GroupInstance(Text(i, "InstanceId") ?? string.Empty, Text(i, "LifecycleState") ?? string.Empty, Text(i, "ProtectedFromScaleIn") == "true"))]);
    }

    public async Task<LaunchTemplateFacts?> DescribeLaunchTemplateAsync(string id, string version, CancellationToken cancel)
    {
        var answer = await Call("ec2", Ec2Version, "DescribeLaunchTemplateVersions", [new("LaunchTemplateId", id), new("LaunchTemplateVersion.1", version)], cancel);
        var item = Children(Child(answer, "launchTemplateVersionSet"), "item").FirstOrDefault();
        var data = Child(item, "launchTemplateData");
        var metadata = Child(data, "metadataOptions");
        var profile = Child(data, "iamInstanceProfile");
        return item is null ? null : new LaunchTemplateFacts(id, Text(item, "versionNumber") ?? version, Text(metadata, "httpTokens"), Number(metadata, "httpPutResponseHopLimit"), Text(profile, "arn") ?? Text(profile, "name"));
    }

    public async Task<IReadOnlyList<InstanceFacts>> DescribeInstancesAsync(IReadOnlyList<string> ids, CancellationToken cancel)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var answer = await Call("ec2", Ec2Version, "DescribeInstances", ids.Select((id, i) => new KeyValuePair<string, string>($"InstanceId.{i + 1}", id)), cancel);
        return [.. Children(Child(answer, "reservationSet"), "item")
            .SelectMany(r => Children(Child(r, "instancesSet"), "item"))
            .Select(i => new InstanceFacts(Text(i, "instanceId") ?? string.Empty, Text(Child(i, "instanceState"), "name") ?? string.Empty, Text(Child(i, "iamInstanceProfile"), "arn"), Text(i, "privateIpAddress"), Text(i, "ipAddress")))];
    }

    private async Task<XElement> Call(string service, string version, string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        var answer = await client.CallAsync(Host(service), region, service, version, parameters.Prepend(new("Action", action)), cancel);
        return answer.Succeeded ? answer.Document! : throw new FleetApiException($"{service}:{action}", answer.ErrorCode ?? "error", answer.Message ?? string.Empty);
    }

    private static XElement? Child(XElement? element, string name) => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static IEnumerable<XElement> Children(XElement? element, string name) => element?.Elements().Where(e => e.Name.LocalName == name) ?? [];

    private static string? Text(XElement? element, string name) => Child(element, name)?.Value;

    private static int? Number(XElement? element, string name) =>
        int.TryParse(Text(element, name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
