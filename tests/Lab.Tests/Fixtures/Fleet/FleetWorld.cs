using System.Collections.Concurrent;

namespace Lab.Fixtures.Fleet;

/// <summary>An Auto Scaling group as DescribeAutoScalingGroups answers it.</summary>
public sealed record EmulatedGroup(
    string Name, string Region, int MinSize = 0, int MaxSize = 10, int DesiredCapacity = 0, bool NewInstancesProtectedFromScaleIn = true,
    IReadOnlyList<string>? SuspendedProcesses = null, string? LaunchTemplateId = "lt-0123456789abcdef0", string LaunchTemplateVersion = "1",
    IReadOnlyList<string>? InstanceIds = null);

/// <summary>A launch template version's metadata options and instance profile.</summary>
public sealed record EmulatedLaunchTemplate(string Id, string Version, string HttpTokens = "required", int HopLimit = 1, string? InstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/ci-workers");

/// <summary>An EC2 instance; <see cref="InstanceProfileArn"/> null: it was started without one; <see cref="PrivateIp"/>: a lab worker's address.</summary>
public sealed record EmulatedInstance(string Id, string State = "running", string? InstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/ci-workers", string? PrivateIp = null);

/// <summary>The fleet the emulator's Auto Scaling and EC2 answer about; tests change it between calls.</summary>
public sealed class FleetWorld
{
    private readonly ConcurrentDictionary<(string Region, string Name), EmulatedGroup> _groups = new();
    private readonly ConcurrentDictionary<(string Id, string Version), EmulatedLaunchTemplate> _templates = new();
    private readonly ConcurrentDictionary<string, EmulatedInstance> _instances = new(StringComparer.Ordinal);

    public void SetGroup(EmulatedGroup group) => _groups[(group.Region, group.Name)] = group;

    public void SetLaunchTemplate(EmulatedLaunchTemplate template) => _templates[(template.Id, template.Version)] = template;

    public void SetInstance(EmulatedInstance instance) => _instances[instance.Id] = instance;

    internal EmulatedGroup? Group(string region, string name) => _groups.GetValueOrDefault((region, name));

    /// <summary>The version asked for; <c>$Default</c> and <c>$Latest</c> mean the highest version here.</summary>
    internal EmulatedLaunchTemplate? Template(string id, string version) =>
        version is "$Default" or "$Latest"
            ? _templates.Values.Where(t => t.Id == id).MaxBy(t => int.Parse(t.Version, System.Globalization.CultureInfo.InvariantCulture))
            : _templates.GetValueOrDefault((id, version));

    internal EmulatedInstance? Instance(string id) => _instances.GetValueOrDefault(id);
}
