using Build.Docker;
using Build.Fleet;
using Build.Secrets;
using Build.Settings;

namespace Build.Smoke;

/// <summary>
/// SmokeTest with FLEET=aws: both levels on a running instance of the group, reached as the runner reaches it (SSH as
/// FLEET_SSH_USER with FLEET_SSH_KEY, then <c>docker system dial-stdio</c>). The executor level: the helper in the
/// runner container (the manager) resolves the credentials, and the worker's daemon pulls with them in
/// <c>X-Registry-Auth</c>, through the SSH channel. The DinD level: a DinD service and a job on the worker's daemon
/// with config.toml's job settings, whose volumes are the worker's paths. Every row names the instance.
/// </summary>
/// <param name="api">The manager's Auto Scaling and EC2 calls (the credentials Preflight checked).</param>
public sealed class FleetLevels(BuildSettings settings, DockerCli docker, Redactor redactor, Func<CancellationToken, Task<FleetApi>> api, Action<string> info, Action<string> warn)
{
    /// <param name="modeMismatch">The DinD rows failed when config.toml was written for the other DIND_AUTH, else null.</param>
    public async Task<IReadOnlyList<LevelResult>> RunAsync(
        JobSettings job, string runner, IReadOnlyList<SmokeSubject> subjects, string runId, IReadOnlyList<Secret>? awsValues,
        Func<IReadOnlyList<SmokeSubject>, IReadOnlyList<LevelResult>?> modeMismatch, CancellationToken cancel)
    {
        var fleet = settings.Fleet;
        var group = fleet.GroupName!;
        var worker = await new FleetWorkerPicker(await api(cancel), group, fleet.UseExternalAddress).PickAsync(cancel);
        info($"fleet: {group}: proving instance {worker.InstanceId} at {worker.Address} as {fleet.SshUser}");
        await using var tunnel = WorkerTunnel.Open(worker, fleet.SshUser, fleet.SshKey!.FullPath, TimeSpan.FromSeconds(30));
        info($"fleet: {worker.InstanceId}: host key {tunnel.HostKey}; its daemon through {WorkerTunnel.DialStdio} over SSH");
        var remote = docker.At(tunnel.DockerHost);
        var engine = remote.Engine(TimeSpan.FromSeconds(30));
        var onWorker = subjects.Select(s => s with { Suffix = $"{s.Suffix} on {worker.InstanceId}" }).ToList();
        foreach (var needed in new[] { settings.Runner.DindImage.ToString(), job.Image }.Distinct())
        {
            if (remote.EnsureImage(needed, settings.PullMissingImages, info) is { } why)
            {
                throw new BuildFailure($"the image {needed} is needed on the worker {worker.InstanceId} for the DinD level, but {why}",
                    "set IMAGE_PULL=missing so that SmokeTest pulls it on the worker, or bake it into the workers' AMI");
            }
        }

        var levels = new List<LevelResult>();
        var endpoint = new EngineEndpoint(tunnel.DockerHost, $"SSH to {fleet.SshUser}@{worker.Address} ({worker.InstanceId}), {WorkerTunnel.DialStdio}").Judged();
        var executor = new ExecutorProbe(docker, redactor, new EnginePull(endpoint, engine.ApiVersion), $"the daemon of {worker.InstanceId} ({WorkerTunnel.DialStdio} over SSH)");
        foreach (var subject in onWorker)
        {
            levels.Add(await executor.RunAsync(runner, subject.Registry, subject.Image, runId, cancel, subject.ExecutorLevel, subject.Via));
        }

        if (modeMismatch(onWorker) is { } refused)
        {
            levels.AddRange(refused);
            return levels;
        }

        var resources = new SmokeResources(remote.WithoutCancellation(), settings.ComposeProjectName, runId);
        try
        {
            // The worker's paths are in config.toml's volumes already (the CA's certs.d entries among them).
            levels.AddRange(new DindProbe(remote, resources, settings.Smoke.DindPrivileged, null, awsValues)
                .Run(job, settings.Runner.DindImage.ToString(), settings.Aws.Registries, onWorker, TimeSpan.FromMinutes(5))
                .Select(row => OnWorker(row, worker)));
        }
        catch (BuildFailure failure)
        {
            levels.AddRange(onWorker.Select(s => LevelResult.Fail(s.DindLevel, TimeSpan.Zero, failure.Problem, failure.Fix)));
        }
        finally
        {
            foreach (var left in resources.Remove())
            {
                warn($"SmokeTest could not remove {left} on the worker {worker.InstanceId}; remove it there with docker rm -fv / docker volume rm / docker network rm (label {SmokeResources.RunLabel}={runId})");
            }
        }

        return levels;
    }

    /// <summary>A DinD failure whose fix is on the worker, not on this machine: the worker's own refresher writes the jobs' token folder.</summary>
    private static LevelResult OnWorker(LevelResult row, FleetWorker worker) =>
        row is { Passed: false, Cause: { } cause } && cause.StartsWith("the job cannot read config.json", StringComparison.Ordinal)
            ? row with
            {
                Cause = $"{cause} on {worker.InstanceId}",
                Fix = $"on {worker.InstanceId}, the refresher of the user-data writes {WorkerPaths.TokenDocker}: check systemctl status gitlab-runner-ecr-token.timer and gitlab-runner-ecr-token.service (journalctl -u gitlab-runner-ecr-token), and /var/log/cloud-init-output.log for the user-data's run",
            }
            : row;
}
