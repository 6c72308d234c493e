using System.Text.RegularExpressions;
using Build.Fleet;

namespace Lab.Fleet;

/// <summary>
/// SmokeTest with FLEET=aws against a lab worker (<see cref="FleetSmokeScene"/>): SmokeTest finds the instance through
/// the emulator's Auto Scaling and EC2, connects with SSH.NET as FLEET_SSH_USER, runs docker system dial-stdio there,
/// and proves both levels on the worker's daemon. The runner's autoscaler and plugin, real scaling and EC2 Instance
/// Connect are not part of this.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FleetSmokeTests(LabFixture lab)
{
    private const string Executor = @"executor \(image:\)";
    private const string Dind = @"DinD \(docker pull in a job\)";

    [HelperArchiveFact]
    public async Task Token_mode_both_levels_pass_on_the_worker_naming_the_instance_and_a_worker_without_its_token_folder_fails_DinD()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var cancel = timeout.Token;
        await using var scene = await FleetSmokeScene.StartAsync(lab, "token", cancel);
        var instance = scene.Instance;

        // When SmokeTest runs
        var smoke = await scene.Run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");

        // Then both levels pass on the worker, each row naming the instance
        var printed = smoke.Output + smoke.Error;
        Assert.True(smoke.Succeeded, printed + string.Join('\n', scene.CloudInit.Log));
        Assert.Contains($"proving instance {instance} at {scene.Address} as {FleetSmokeScene.SshUser}", printed, StringComparison.Ordinal);
        Assert.Contains("host key SHA256:", printed, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(printed, $@"{Executor} on {instance}\s+pass\s.*through the daemon of {instance} \(docker system dial-stdio over SSH\)"), printed);
        Assert.True(Regex.IsMatch(printed, $@"{Dind} on {instance}\s+pass\s.*with the refresher's tokens; the job holds no AWS value"), printed);
        await ThenTheWorkerDidThePullsAsync(scene, cancel);

        // When the worker has lost its token folder
        await scene.Worker.ExecAsync(cancel, "rm", "-rf", WorkerPaths.TokenDocker);
        var lost = await scene.Run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");

        // Then the DinD row fails with that cause and the worker's fix, and the executor row still passes
        var lostText = lost.Output + lost.Error;
        Assert.False(lost.Succeeded, lostText);
        Assert.True(Regex.IsMatch(lostText, $@"{Dind} on {instance}\s+FAIL\s.*the job cannot read config.json in /etc/gitlab-runner-ecr/docker \(DOCKER_CONFIG\) on {instance}"), lostText);
        Assert.Contains($"Fix (DinD (docker pull in a job) on {instance}): on {instance}, the refresher of the user-data writes /etc/gitlab-runner-ecr/dind-token/docker: check systemctl status gitlab-runner-ecr-token.timer", lostText, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(lostText, $@"{Executor} on {instance}\s+pass"), lostText);

        // When the group has no instance running
        scene.Empty();
        var none = await scene.Run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");

        // Then SmokeTest fails saying how to get one, having connected to nothing
        var noneText = none.Output + none.Error;
        Assert.False(none.Succeeded, noneText);
        Assert.Contains($"no instance of the group {scene.Group} is running (desired capacity 0), and SmokeTest proves a worker", noneText, StringComparison.Ordinal);
        Assert.Contains("set FLEET_IDLE_COUNT=1 (or more)", noneText, StringComparison.Ordinal);
        Assert.DoesNotContain("host key", noneText, StringComparison.Ordinal);
        NoSecretIn(scene, printed + lostText + noneText);
    }

    [HelperArchiveFact]
    public async Task Helper_mode_both_levels_pass_on_the_worker_with_the_workers_helper_and_role()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var cancel = timeout.Token;
        await using var scene = await FleetSmokeScene.StartAsync(lab, "helper", cancel);
        var instance = scene.Instance;
        var before = lab.Emulator.Requests.Snapshot().Count;

        // When SmokeTest runs
        var smoke = await scene.Run.RunAsync(cancel, "--target=SmokeTest", "--exclusive");

        // Then both levels pass on the worker, each row naming the instance
        var printed = smoke.Output + smoke.Error;
        Assert.True(smoke.Succeeded, printed + string.Join('\n', scene.CloudInit.Log));
        Assert.True(Regex.IsMatch(printed, $@"{Executor} on {instance}\s+pass\s.*through the daemon of {instance} \(docker system dial-stdio over SSH\)"), printed);
        Assert.True(Regex.IsMatch(printed, $@"{Dind} on {instance}\s+pass\s.*docker pull "), printed);
        await ThenTheWorkerDidThePullsAsync(scene, cancel);

        // And the DinD job's helper used the worker's role (from the metadata stand-in), not the manager's key
        var calls = lab.Emulator.Requests.Snapshot().Skip(before).ToList();
        Assert.Contains(calls, r => r.AccessKeyId == scene.Role.AccessKeyId && r.Operation == "GetAuthorizationToken" && r.Succeeded);
        Assert.Contains(calls, r => r.AccessKeyId == lab.Key.AccessKeyId && r.Operation == "GetAuthorizationToken" && r.Succeeded);
        NoSecretIn(scene, printed);
    }

    /// <summary>The executor level's pull landed on the worker's daemon, and nothing SmokeTest made is left there.</summary>
    private async Task ThenTheWorkerDidThePullsAsync(FleetSmokeScene scene, CancellationToken cancel)
    {
        var image = lab.Registries[0].PrivateImage;
        Assert.True((await scene.Worker.ExecAsync(cancel, "docker", "image", "inspect", image)).Succeeded, $"the worker's daemon has no {image}");
        Assert.Empty((await scene.Worker.ExecAsync(cancel, "docker", "ps", "-aq", "--filter", "label=gitlab-runner-ecr.smoke-run")).Output.Trim());
    }

    private void NoSecretIn(FleetSmokeScene scene, string printed)
    {
        Assert.DoesNotContain(lab.Key.SecretAccessKey, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(scene.Role.SecretAccessKey, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(scene.Role.SessionToken!, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(scene.Stack.Runner.Token, printed, StringComparison.Ordinal);
        Assert.All(lab.Registries, r => Assert.DoesNotContain(r.Ecr.Password, printed, StringComparison.Ordinal));
        Assert.All(File.ReadAllLines(scene.Ssh.KeyFile).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)), line => Assert.DoesNotContain(line, printed, StringComparison.Ordinal));
    }
}
