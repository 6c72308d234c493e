using Build.Fleet;
using Build.Settings;

namespace Lab.Fleet;

/// <summary>
/// Preflight's fleet checks (FleetCheck with the build's signed Auto Scaling and EC2 calls) against the emulator: a
/// group that fits passes, and each problem the docker-autoscaler meets is explained with the command that fixes it.
/// </summary>
public sealed class FleetPreflightTests : IClassFixture<FleetEmulatorFixture>
{
    private const string Template = "lt-0123456789abcdef0";
    private readonly FleetEmulatorFixture _aws;
    private readonly string _group = "ci-workers-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _info = [];

    public FleetPreflightTests(FleetEmulatorFixture aws)
    {
        _aws = aws;
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    private FleetWorld World => _aws.Emulator.Fleet;

    /// <summary>A group as the generated CloudFormation template makes it, with one instance in service.</summary>
    private void Fitting(int hopLimit = 1, string instance = "i-0aaaaaaaaaaaaaaa1")
    {
        World.SetGroup(new EmulatedGroup(_group, FleetEmulatorFixture.Region, SuspendedProcesses: ["AZRebalance"], LaunchTemplateId: Template, LaunchTemplateVersion: "3", InstanceIds: [instance]));
        World.SetLaunchTemplate(new EmulatedLaunchTemplate(Template, "3", HopLimit: hopLimit));
        World.SetInstance(new EmulatedInstance(instance));
    }

    private Task<IReadOnlyList<string>> Check(DindAuth mode, AwsKey? key = null) =>
        new FleetCheck(_aws.Api(key ?? LabIdentities.Runner), _group, mode, _info.Add).RunAsync(CancellationToken.None);

    [Theory]
    [InlineData(DindAuth.Token, 1)]
    [InlineData(DindAuth.Helper, 2)]
    public async Task A_group_made_as_the_template_says_passes_with_signed_calls(DindAuth mode, int hops)
    {
        // Given the group with its protections, a launch template of the mode's hop limit, and an instance with a profile
        Fitting(hops);

        // When Preflight checks it (with temporary credentials: the session token is signed too)
        var problems = await Check(mode, LabIdentities.Temporary);

        // Then nothing is wrong, the line says what was seen, and each call was verified by the emulator
        Assert.Empty(problems);
        Assert.Contains(_info, line => line.Contains($"fleet: {_group}: minimum 0, maximum 10, scale-in protection on, AZRebalance suspended", StringComparison.Ordinal) && line.Contains("1 in service, each with an instance profile", StringComparison.Ordinal));
        var calls = _aws.Emulator.Requests.Snapshot().Where(r => r.AccessKeyId == LabIdentities.Temporary.AccessKeyId).TakeLast(3).ToList();
        Assert.Equal([("autoscaling", "DescribeAutoScalingGroups"), ("ec2", "DescribeLaunchTemplateVersions"), ("ec2", "DescribeInstances")], calls.Select(c => (c.Service, c.Operation)));
        Assert.All(calls, c => Assert.Equal((AwsRequestLog.Ok, FleetEmulatorFixture.Region), (c.Outcome, c.Region)));
    }

    [Fact]
    public async Task A_group_without_scale_in_protection_is_explained_with_the_command()
    {
        Fitting();
        World.SetGroup(World.Group(FleetEmulatorFixture.Region, _group)! with { NewInstancesProtectedFromScaleIn = false });

        var problem = Assert.Single(await Check(DindAuth.Token));

        Assert.Equal($"fleet: the group {_group} does not protect new instances from scale-in, so AWS may terminate an instance that is running a job: aws autoscaling update-auto-scaling-group --auto-scaling-group-name {_group} --new-instances-protected-from-scale-in", problem);
    }

    [Fact]
    public async Task A_group_that_rebalances_zones_or_keeps_a_minimum_is_explained()
    {
        Fitting();
        World.SetGroup(World.Group(FleetEmulatorFixture.Region, _group)! with { SuspendedProcesses = [], MinSize = 2 });

        var problems = await Check(DindAuth.Token);

        Assert.Equal(2, problems.Count);
        Assert.Contains($"--auto-scaling-group-name {_group} --min-size 0", problems[0], StringComparison.Ordinal);
        Assert.Contains($"aws autoscaling suspend-processes --auto-scaling-group-name {_group} --scaling-processes AZRebalance", problems[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DindAuth.Token, 2, "so job containers reach the worker's role, while in token mode only the host's refresher needs it: set it to 1")]
    [InlineData(DindAuth.Helper, 1, "so the helper in a DinD job (DIND_AUTH=helper) cannot reach the worker's role: set it to 2")]
    public async Task A_hop_limit_that_does_not_fit_the_mode_is_explained_with_the_new_version_to_make(DindAuth mode, int hops, string why)
    {
        Fitting(hops);

        var problem = Assert.Single(await Check(mode));

        Assert.StartsWith($"fleet: launch template {Template} version 3 has a metadata hop limit of {hops}, {why}", problem, StringComparison.Ordinal);
        Assert.Contains($"aws ec2 create-launch-template-version --launch-template-id {Template} --source-version 3 --launch-template-data '{{\"MetadataOptions\":{{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":{(mode == DindAuth.Token ? 1 : 2)}}}}}'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instance_without_an_instance_profile_is_named_with_how_to_attach_one()
    {
        Fitting(instance: "i-0bbbbbbbbbbbbbbb2");
        World.SetInstance(new EmulatedInstance("i-0bbbbbbbbbbbbbbb2", InstanceProfileArn: null));

        var problem = Assert.Single(await Check(DindAuth.Token));

        Assert.StartsWith($"fleet: instance i-0bbbbbbbbbbbbbbb2 of {_group} has no instance profile, so its helper (DinD jobs' token refresher) has no credentials: aws ec2 associate-iam-instance-profile --instance-id i-0bbbbbbbbbbbbbbb2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IMDSv1_and_a_template_without_a_profile_are_explained()
    {
        Fitting();
        World.SetLaunchTemplate(new EmulatedLaunchTemplate(Template, "3", HttpTokens: "optional", InstanceProfileArn: null));

        var problems = await Check(DindAuth.Token);

        Assert.Equal(2, problems.Count);
        Assert.Contains("allows IMDSv1 (HttpTokens optional)", problems[0], StringComparison.Ordinal);
        Assert.Contains("names no instance profile", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_that_does_not_exist_says_how_to_make_it()
    {
        var problem = Assert.Single(await Check(DindAuth.Token));

        Assert.Equal($"fleet: no Auto Scaling group named {_group}: create it (STATE_DIR/fleet/cloudformation.yaml, from Register), or set FLEET_ASG (and AWS_REGION) to the group's", problem);
    }

    [Fact]
    public async Task An_unknown_key_is_refused_by_the_service_and_explained_without_the_secret()
    {
        Fitting();
        var stranger = new AwsKey("AKIDLABSTRANGER00001", "stranger-secret/abcdefghijklmnopqrst", LabIdentities.Account, "arn:aws:iam::123456789012:user/stranger");

        var problem = Assert.Single(await Check(DindAuth.Token, stranger));

        Assert.StartsWith("fleet: autoscaling:DescribeAutoScalingGroups was refused (InvalidClientTokenId: ", problem, StringComparison.Ordinal);
        Assert.Contains("manager-policy.json", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(stranger.SecretAccessKey, problem + string.Join('\n', _info), StringComparison.Ordinal);
    }
}
