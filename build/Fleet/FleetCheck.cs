using Build.Settings;

namespace Build.Fleet;

/// <summary>
/// Preflight's look at the fleet (FLEET=aws): the group exists with the protections the docker-autoscaler needs
/// (minimum 0, scale-in protection, AZRebalance suspended), its launch template requires IMDSv2 with the hop limit of
/// the mode and names an instance profile, and its running instances carry one. Each problem says what to run.
/// </summary>
public sealed class FleetCheck(FleetApi api, string group, DindAuth mode, Action<string> info)
{
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancel)
    {
        var problems = new List<string>();
        try
        {
            if (await api.DescribeGroupAsync(group, cancel) is not { } found)
            {
                return [$"fleet: no Auto Scaling group named {group}: create it (STATE_DIR/fleet/cloudformation.yaml, from Register), or set FLEET_ASG (and AWS_REGION) to the group's"];
            }

            problems.AddRange(Protections(found));
            if (found.LaunchTemplateId is null)
            {
                problems.Add($"fleet: the group {group} has no launch template (a launch configuration cannot require IMDSv2 with a hop limit per mode): give it the launch template of STATE_DIR/fleet/launch-template.json");
            }
            else if (await api.DescribeLaunchTemplateAsync(found.LaunchTemplateId, found.LaunchTemplateVersion ?? "$Default", cancel) is { } template)
            {
                problems.AddRange(Template(template));
            }

            var running = found.Instances.Where(i => i.LifecycleState == "InService").Select(i => i.Id).ToList();
            var instances = await api.DescribeInstancesAsync(running, cancel);
            foreach (var instance in instances.Where(i => i.InstanceProfile is null))
            {
                problems.Add($"fleet: instance {instance.Id} of {group} has no instance profile, so its helper (DinD jobs' {(mode == DindAuth.Token ? "token refresher" : "helper")}) has no credentials: aws ec2 associate-iam-instance-profile --instance-id {instance.Id} --iam-instance-profile Name=<the worker profile> (WorkerInstanceProfile of STATE_DIR/fleet/cloudformation.yaml), and name it in the launch template");
            }

            info(problems.Count == 0
                ? $"fleet: {group}: minimum {found.MinSize}, maximum {found.MaxSize}, scale-in protection on, AZRebalance suspended, launch template {found.LaunchTemplateId} fits DIND_AUTH={Mode}; {(running.Count == 0 ? "no instance in service (SmokeTest's fleet mode needs one: FLEET_IDLE_COUNT=1)" : $"{running.Count} in service, each with an instance profile")}"
                : $"fleet: {group}: {problems.Count} problem(s) below");
        }
        catch (HttpRequestException error)
        {
            problems.Add($"fleet: Auto Scaling or EC2 could not be reached ({error.Message}): check the network to {api.Endpoints} (a proxy, a VPC endpoint's DNS, AWS_CA_BUNDLE)");
        }
        catch (FleetApiException error)
        {
            problems.Add($"fleet: {error.Call} was refused ({error.Code}: {error.AwsMessage}): the manager's credentials need autoscaling:DescribeAutoScalingGroups, ec2:DescribeLaunchTemplateVersions and ec2:DescribeInstances (STATE_DIR/fleet/manager-policy.json)");
        }

        return problems;
    }

    private string Mode => mode == DindAuth.Token ? "token" : "helper";

    private IEnumerable<string> Protections(FleetGroup found)
    {
        if (found.MinSize != 0)
        {
            yield return $"fleet: the group {group} has a minimum size of {found.MinSize}: the autoscaler alone decides how many instances run (FLEET_IDLE_COUNT); set it to 0: aws autoscaling update-auto-scaling-group --auto-scaling-group-name {group} --min-size 0";
        }

        if (!found.NewInstancesProtectedFromScaleIn)
        {
            yield return $"fleet: the group {group} does not protect new instances from scale-in, so AWS may terminate an instance that is running a job: aws autoscaling update-auto-scaling-group --auto-scaling-group-name {group} --new-instances-protected-from-scale-in";
        }

        if (!found.SuspendedProcesses.Contains("AZRebalance", StringComparer.Ordinal))
        {
            yield return $"fleet: the group {group} rebalances its zones (AZRebalance is not suspended), which terminates instances that may be running jobs: aws autoscaling suspend-processes --auto-scaling-group-name {group} --scaling-processes AZRebalance";
        }
    }

    private IEnumerable<string> Template(LaunchTemplateFacts template)
    {
        var wanted = WorkerFiles.HopLimit(mode);
        var fix = $"aws ec2 create-launch-template-version --launch-template-id {template.Id} --source-version {template.Version} --launch-template-data '{{\"MetadataOptions\":{{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":{wanted}}}}}', then make it the group's version";
        if (template.HttpTokens != "required")
        {
            yield return $"fleet: launch template {template.Id} version {template.Version} allows IMDSv1 (HttpTokens {template.HttpTokens ?? "optional"}), which any process, a job's among them, can use without a token: {fix}";
        }

        var hops = template.HopLimit ?? 1;
        if (hops != wanted)
        {
            yield return mode == DindAuth.Token
                ? $"fleet: launch template {template.Id} version {template.Version} has a metadata hop limit of {hops}, so job containers reach the worker's role, while in token mode only the host's refresher needs it: set it to 1: {fix}"
                : $"fleet: launch template {template.Id} version {template.Version} has a metadata hop limit of {hops}, so the helper in a DinD job (DIND_AUTH=helper) cannot reach the worker's role: set it to 2: {fix}";
        }

        if (template.InstanceProfile is null)
        {
            yield return $"fleet: launch template {template.Id} version {template.Version} names no instance profile, so the workers' helper has no credentials: add the worker profile (WorkerInstanceProfile of STATE_DIR/fleet/cloudformation.yaml) to a new version";
        }
    }
}
