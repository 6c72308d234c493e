
namespace Lab.Fixtures.Fleet;

/// <summary>
/// An instance of the fleet as far as the lab can make one: the lab's DinD image (Docker Engine and CLI, Debian) on the
/// lab network, with the registries' and ECR API's names as an instance's DNS would give them, the SSH user an AMI's
/// cloud-init creates by default, and busybox's wget (the image has neither curl nor wget; an AMI has curl). It has no
/// sshd and no systemd; the generated user-data is run in it by <see cref="CloudInitRunner"/>.
/// </summary>
public sealed class LabWorker : IAsyncDisposable
{
    private LabWorker(string container) => Container = container;

    public string Container { get; }

    /// <param name="image">The worker's image: the lab's DinD image, or one derived from it (<see cref="SshWorker"/>).</param>
    public static async Task<LabWorker> StartAsync(LabFixture lab, string name, string sshUser, CancellationToken cancel, string? image = null)
    {
        var container = $"{lab.RunId}-worker-{name}";
        var hosts = lab.Registries.SelectMany(r => new[] { "--add-host", $"{r.Host}:{r.Address}", "--add-host", $"api.ecr.{r.Ecr.Region}.amazonaws.com:{lab.Gateway}" });
        // --privileged is refused on this machine; this is its equivalent, as for the lab's DinD.
        await Cli.DockerAsync("start the lab worker", cancel,
        [
            "run", "-d", "--pull", "never", "--name", container, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner,
            "--network", lab.Network, .. hosts,
            "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined", image ?? lab.Images.Dind,
            // The worker's own networks (a job's network, its DinD service) outside the ranges the host's daemon gives
            // lab networks: with Docker's defaults a job network can take the lab network's range, and the job's
            // DinD then has no route to the registry (as a job on an instance whose VPC lies in those ranges would).
            "--bip=10.231.0.1/24", "--default-address-pool=base=10.232.0.0/16,size=24",
        ]);
        var worker = new LabWorker(container);
        try
        {
            await worker.WaitForDaemonAsync(cancel);
            await Cli.DockerAsync("copy busybox into the worker", cancel, "cp", "/bin/busybox", $"{container}:/usr/local/bin/busybox");
            await Cli.DockerAsync("give the worker wget", cancel, "exec", container, "ln", "-s", "busybox", "/usr/local/bin/wget");
            await Cli.DockerAsync("copy the lab CA into the worker", cancel, "cp", lab.CaPath, $"{container}:/etc/lab-ca.pem");
            await Cli.DockerAsync("create the AMI's default user", cancel, "exec", container, "useradd", "--create-home", sshUser);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    public Task<ProcessResult> ExecAsync(CancellationToken cancel, params string[] command) =>
        Cli.RunAsync("docker", ["exec", Container, .. command], cancel);

    private async Task WaitForDaemonAsync(CancellationToken cancel)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if ((await ExecAsync(cancel, "docker", "version", "--format", "{{.Server.Version}}")).Succeeded)
            {
                return;
            }

            await Task.Delay(500, cancel);
        }

        var logs = await Cli.RunAsync("docker", ["logs", "--tail", "30", Container], cancel);
        throw new LabException($"the worker's daemon in {Container} did not answer within 60 s: {logs.Output}{logs.Error}");
    }

    public async ValueTask DisposeAsync() => await Cli.RunAsync("docker", ["rm", "-fv", Container], CancellationToken.None);
}
