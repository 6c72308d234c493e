namespace Build.Fleet;

/// <summary>An instance of the group SmokeTest proves, and the address the runner's connector would use.</summary>
public sealed record FleetWorker(string InstanceId, string Address);

/// <summary>
/// Picks a running instance of the group as the runner would reach it: in service in Auto Scaling, running in EC2,
/// at its private address (or its public one with FLEET_USE_EXTERNAL_ADDR). With none, says how to get one.
/// </summary>
public sealed class FleetWorkerPicker(FleetApi api, string group, bool useExternalAddress)
{
    public async Task<FleetWorker> PickAsync(CancellationToken cancel)
    {
        try
        {
            var found = await api.DescribeGroupAsync(group, cancel)
                ?? throw new BuildFailure($"Auto Scaling knows no group named {group}", "create it (STATE_DIR/fleet/cloudformation.yaml, from Register), or set FLEET_ASG (and AWS_REGION) to the group's; ./build.sh --target=Preflight checks it");
            var inService = found.Instances.Where(i => i.LifecycleState == "InService").Select(i => i.Id).ToList();
            var running = (await api.DescribeInstancesAsync(inService, cancel)).Where(i => i.State == "running").ToList();
            var reachable = running.Select(i => (i.Id, Address: useExternalAddress ? i.PublicAddress : i.PrivateAddress)).FirstOrDefault(i => !string.IsNullOrEmpty(i.Address));
            if (reachable.Address is { } address)
            {
                return new FleetWorker(reachable.Id, address);
            }

            throw running.Count > 0
                ? new BuildFailure($"no running instance of {group} has a {(useExternalAddress ? "public" : "private")} address ({string.Join(", ", running.Select(i => i.Id))})",
                    useExternalAddress ? "give the group's subnets public addresses, or set FLEET_USE_EXTERNAL_ADDR=false when this machine is in the group's VPC" : "check the instances in EC2")
                : new BuildFailure($"no instance of the group {group} is running (desired capacity {found.DesiredCapacity}), and SmokeTest proves a worker",
                    $"set FLEET_IDLE_COUNT=1 (or more) and run ./build.sh --target=Register so that the autoscaler keeps an instance ready, or start one: aws autoscaling set-desired-capacity --auto-scaling-group-name {group} --desired-capacity 1; then run SmokeTest again once it is in service");
        }
        catch (HttpRequestException error)
        {
            throw new BuildFailure($"Auto Scaling or EC2 could not be reached ({error.Message})", $"check the network to {api.Endpoints} (a proxy, a VPC endpoint's DNS, AWS_CA_BUNDLE)");
        }
        catch (FleetApiException error)
        {
            throw new BuildFailure($"{error.Call} was refused ({error.Code}: {error.AwsMessage})", "the manager's credentials need autoscaling:DescribeAutoScalingGroups and ec2:DescribeInstances (STATE_DIR/fleet/manager-policy.json)");
        }
    }
}
