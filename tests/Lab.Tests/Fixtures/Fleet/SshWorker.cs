namespace Lab.Fixtures.Fleet;

/// <summary>
/// What an instance has for the runner's connector and the lab's worker image has not: sshd. The image is derived at
/// test time from the lab's DinD image with this host's /usr/sbin/sshd and the libraries ldd names that the image
/// lacks (docker cp into a created container, docker commit, labelled with the run, removed at the end); the recipes
/// are untouched. A key pair is made per run with ssh-keygen; the worker's sshd accepts only its public key, for
/// the AMI's user, on the worker's lab-network address.
/// </summary>
public sealed class SshWorker : IAsyncDisposable
{
    private const string Sshd = "/usr/sbin/sshd";

    private SshWorker(string image, string keyFile, string publicKey, string hostKey)
    {
        Image = image;
        KeyFile = keyFile;
        PublicKey = publicKey;
        HostKeyFile = hostKey;
    }

    /// <summary>The derived worker image (the lab's DinD image with sshd).</summary>
    public string Image { get; }

    /// <summary>The private key (mode 0600) the runner's connector would use: FLEET_SSH_KEY.</summary>
    public string KeyFile { get; }

    public string PublicKey { get; }

    private string HostKeyFile { get; }

    public static async Task<SshWorker> CreateAsync(LabFixture lab, CancellationToken cancel)
    {
        if (!File.Exists(Sshd))
        {
            throw new LabException($"{Sshd} is missing on this host: run LAB_PRUNE=0 bash tests/lab/setup.sh (it installs openssh-server)");
        }

        var folder = lab.NewFolder("ssh");
        var key = Path.Combine(folder, "worker-key");
        var hostKey = Path.Combine(folder, "host-key");
        await Cli.CheckedAsync("make the run's key pair", "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", lab.RunId, "-f", key], cancel);
        await Cli.CheckedAsync("make the worker's host key", "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], cancel);
        var image = $"ecrlab/fleet-worker:{lab.RunId}";
        var container = $"{lab.RunId}-worker-image";
        await Cli.DockerAsync("create the worker image's container", cancel, "create", "--pull", "never", "--name", container, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, lab.Images.Dind);
        try
        {
            await Cli.DockerAsync("copy sshd into the worker image", cancel, "cp", "-L", Sshd, $"{container}:{Sshd}");
            var ldd = await Cli.CheckedAsync("list sshd's libraries", "ldd", [Sshd], cancel);
            foreach (var library in ldd.Output.Split('\n').Select(l => l.Split("=>").Last().Trim().Split(' ')[0]).Where(p => p.StartsWith('/')))
            {
                if (!(await Cli.RunAsync("docker", ["cp", $"{container}:{library}", "-"], cancel)).Succeeded)
                {
                    await Cli.DockerAsync("copy a library of sshd", cancel, "cp", "-L", library, $"{container}:{library}");
                }
            }

            // sshd's privilege separation user, as Debian's package makes it.
            var passwd = Path.Combine(folder, "passwd");
            await Cli.DockerAsync("read the image's passwd", cancel, "cp", $"{container}:/etc/passwd", passwd);
            File.AppendAllText(passwd, "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n");
            await Cli.DockerAsync("add sshd's user", cancel, "cp", passwd, $"{container}:/etc/passwd");
            await Cli.DockerAsync("commit the worker image", cancel, "commit", "--change", $"LABEL {LabFixture.RunLabel}={lab.RunId}", container, image);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-fv", container], CancellationToken.None);
        }

        return new SshWorker(image, key, File.ReadAllText(key + ".pub").Trim(), hostKey);
    }

    /// <summary>Starts sshd in <paramref name="worker"/> for <paramref name="user"/> with the run's public key; returns the worker's lab address.</summary>
    public async Task<string> ServeAsync(LabFixture lab, LabWorker worker, string user, CancellationToken cancel)
    {
        var home = $"/home/{user}";
        await Cli.DockerAsync("copy the host key", cancel, "cp", HostKeyFile, $"{worker.Container}:/etc/lab_ssh_host_key");
        var config = string.Join('\n', "Port 22", "HostKey /etc/lab_ssh_host_key", "PubkeyAuthentication yes", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "UsePAM no", "AuthorizedKeysFile .ssh/authorized_keys", $"AllowUsers {user}", "PidFile /run/sshd.pid", "");
        var script = $"""
            set -e
            mkdir -p /run/sshd /etc/ssh && chmod 0755 /run/sshd && chmod 0600 /etc/lab_ssh_host_key
            printf '%s' '{config}' > /etc/ssh/lab_sshd_config
            usermod -p '*' {user}
            install -d -m 0700 -o {user} {home}/.ssh
            printf '%s\n' '{PublicKey}' > {home}/.ssh/authorized_keys
            chown {user} {home}/.ssh/authorized_keys && chmod 0600 {home}/.ssh/authorized_keys
            /usr/sbin/sshd -f /etc/ssh/lab_sshd_config -E /var/log/sshd.log
            """;
        var started = await worker.ExecAsync(cancel, "sh", "-c", script);
        if (!started.Succeeded)
        {
            throw new LabException($"sshd did not start in {worker.Container}: {started.Output}{started.Error}");
        }

        var address = await Cli.DockerAsync("read the worker's address", cancel, "inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{lab.Network}\").IPAddress}}}}", worker.Container);
        return address.Output.Trim();
    }

    public async ValueTask DisposeAsync() => await Cli.RunAsync("docker", ["rmi", "-f", Image], CancellationToken.None);
}
