using System.Text.RegularExpressions;
using Build.Fleet;

namespace Lab.Fleet;

/// <summary>
/// SmokeTest with FLEET=aws against a lab worker: Up and Register in fleet mode (the runner being the stand-in with
/// the real helper mounted), a worker with sshd prepared by the user-data Register generated, the group and the
/// instance (at the worker's address) answered by the AWS emulator. SmokeTest connects with SSH.NET as FLEET_SSH_USER,
/// runs docker system dial-stdio there, and proves both levels on the worker's daemon. The runner's autoscaler and
/// plugin, real scaling and EC2 Instance Connect are not part of this.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FleetSmokeTests(LabFixture lab)
{
    private const string SshUser = "ec2-user";

    [HelperArchiveFact]
    public async Task SmokeTest_proves_both_levels_on_a_running_worker_in_token_mode_and_names_the_instance()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var cancel = timeout.Token;
        var instance = "i-0" + Guid.NewGuid().ToString("N")[..16];
        var group = "lab-workers-" + Guid.NewGuid().ToString("N")[..6];
        var region = lab.Registries[0].Ecr.Region;
        var helper = await LabHelper.Amd64Async();
        var role = new AwsKey("ASIAWORKER" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(), "worker-secret/" + Guid.NewGuid().ToString("N"), lab.Key.AccountId,
            $"arn:aws:sts::{lab.Key.AccountId}:assumed-role/{ImdsStandIn.Role}/{instance}", SessionToken: "worker-session-" + Guid.NewGuid().ToString("N"));
        lab.Emulator.SetKey(role);
        await using var imds = await ImdsStandIn.StartAsync(lab.Gateway, role, helper, LabHelper.Version, cancel);
        await using var standIn = await FleetRunnerStandIn.CreateAsync(lab, cancel);
        await using var ssh = await SshWorker.CreateAsync(lab, cancel);
        await using var stack = await SmokeStack.StartAsync(lab, "fleet-smoke", cancel);
        var run = stack.Run;
        run.Environment["GITLAB_RUNNER_IMAGE"] = standIn.Image;
        run.Environment["FLEET"] = "aws";
        run.Environment["FLEET_ASG"] = group;
        run.Environment["FLEET_SSH_USER"] = SshUser;
        run.Environment["FLEET_SSH_KEY"] = ssh.KeyFile;
        run.Environment["FLEET_HELPER_URL"] = new Uri(imds.BaseAddress, "helpers").ToString();
        run.Environment["HELPER_VERSION"] = LabHelper.Version;
        run.Environment["DIND_AUTH"] = "token";
        run.Environment["AWS_REGION"] = region;
        run.Environment["RUNNER_EXTRA_HOSTS"] = string.Join(',', [run.Environment["RUNNER_EXTRA_HOSTS"], .. lab.Registries.Select(r => $"{r.Host}:{r.Address}")]);

        // Given Up and Register in fleet mode, and a worker with sshd prepared by the user-data Register wrote
        await run.UpAndRegisterAsync(cancel);
        await using var worker = await LabWorker.StartAsync(lab, "smoke", SshUser, cancel, ssh.Image);
        var cloudInit = new CloudInitRunner(worker.Container, new Dictionary<string, string>
        {
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.BaseAddress.ToString(),
            ["AWS_CA_BUNDLE"] = "/etc/lab-ca.pem",
        });
        await cloudInit.RunAsync(File.ReadAllText(Path.Combine(run.State, "fleet", WorkerFiles.UserData)), cancel);
        var address = await ssh.ServeAsync(lab, worker, SshUser, cancel);
        await LoadAsync(worker, [lab.Images.Dind, lab.Images.DockerCli], cancel);

        // And the group with that worker in service, at its address
        lab.Emulator.Fleet.SetGroup(new EmulatedGroup(group, region, SuspendedProcesses: ["AZRebalance"], DesiredCapacity: 1, InstanceIds: [instance]));
        lab.Emulator.Fleet.SetInstance(new EmulatedInstance(instance, PrivateIp: address));

        // When SmokeTest runs
        var smoke = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");

        // Then both levels pass on the worker, each row naming the instance
        var printed = smoke.Output + smoke.Error;
        Assert.True(smoke.Succeeded, printed + string.Join('\n', cloudInit.Log));
        Assert.True(Regex.IsMatch(printed, $@"executor \(image:\) on {instance}\s+pass\s.*through the daemon of {instance} \(docker system dial-stdio over SSH\)"), printed);
        Assert.True(Regex.IsMatch(printed, $@"DinD \(docker pull in a job\) on {instance}\s+pass\s.*with the refresher's tokens; the job holds no AWS value"), printed);
        Assert.Contains($"host key SHA256:", printed, StringComparison.Ordinal);
        Assert.Contains($"proving instance {instance} at {address} as {SshUser}", printed, StringComparison.Ordinal);

        // And nothing of the run is left on the worker's daemon, and no secret was printed
        Assert.Empty((await worker.ExecAsync(cancel, "docker", "ps", "-aq", "--filter", "label=gitlab-runner-ecr.smoke-run")).Output.Trim());
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(role.SecretAccessKey, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(ssh.KeyFile).Split('\n')[1], printed, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Runner.Token, printed, StringComparison.Ordinal);
        Assert.All(lab.Registries, r => Assert.DoesNotContain(r.Ecr.Password, printed, StringComparison.Ordinal));

        // When the instance is gone from the group, SmokeTest fails saying how to get one
        lab.Emulator.Fleet.SetGroup(new EmulatedGroup(group, region, SuspendedProcesses: ["AZRebalance"]));
        var none = await run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");
        Assert.False(none.Succeeded);
        Assert.Contains($"no instance of the group {group} is running", none.Output + none.Error, StringComparison.Ordinal);
        Assert.Contains("set FLEET_IDLE_COUNT=1", none.Output + none.Error, StringComparison.Ordinal);
    }

    /// <summary>What a worker's daemon would pull from Docker Hub at a job's start, loaded from this host's (no pull here).</summary>
    private static async Task LoadAsync(LabWorker worker, IEnumerable<string> images, CancellationToken cancel)
    {
        foreach (var image in images)
        {
            var load = await Cli.RunAsync("sh", ["-c", $"docker save {image} | docker exec -i {worker.Container} docker load"], cancel);
            Assert.True(load.Succeeded, load.Output + load.Error);
        }
    }
}
