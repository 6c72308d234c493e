using System.Net.Sockets;
using System.Security.Cryptography;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Build.Fleet;

/// <summary>
/// The way the runner reaches a worker's daemon: SSH as FLEET_SSH_USER with the connector's key, then
/// <c>docker system dial-stdio</c> on the instance, whose standard input and output are a connection to its daemon.
/// Each connection to a unix socket in a private folder of this machine gets its own dial-stdio channel, so the docker
/// CLI and the Engine API client speak to the worker's daemon as to a local one (<see cref="DockerHost"/>). The bytes
/// travel inside the SSH session's encryption; the socket's folder is readable by this user only.
/// </summary>
public sealed class WorkerTunnel : IAsyncDisposable
{
    public const string DialStdio = "docker system dial-stdio";

    private readonly SshClient _ssh;
    private readonly Socket _listener;
    private readonly string _folder;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;

    private WorkerTunnel(SshClient ssh, string folder, string hostKey)
    {
        _ssh = ssh;
        _folder = folder;
        HostKey = hostKey;
        var socket = Path.Combine(folder, "docker.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socket));
        _listener.Listen(16);
        DockerHost = "unix://" + socket;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The worker's daemon for the docker CLI (DOCKER_HOST) and the Engine API client.</summary>
    public string DockerHost { get; }

    /// <summary>The SHA-256 fingerprint of the host key the worker presented.</summary>
    public string HostKey { get; }

    /// <summary>Connects to <paramref name="worker"/>; a <see cref="BuildFailure"/> says what refused and what to do.</summary>
    public static WorkerTunnel Open(FleetWorker worker, string user, string keyFile, TimeSpan timeout)
    {
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(keyFile);
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or CryptographicException or FormatException)
        {
            // The library's message names the format it expected, never the key's content.
            throw new BuildFailure($"{Settings.SettingCatalog.FleetSshKey.Key} = {keyFile} is not a private key SmokeTest can use ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})",
                "give the unencrypted OpenSSH or PEM private key the runner's connector uses (ssh-keygen -t ed25519 -N '' writes one); a key with a passphrase cannot be used unattended");
        }

        var connection = new ConnectionInfo(worker.Address, user, new PrivateKeyAuthenticationMethod(user, key)) { Timeout = timeout };
        var ssh = new SshClient(connection);
        string? fingerprint = null;
        ssh.HostKeyReceived += (_, e) =>
        {
            // As the runner's connector does: the instance is new, so its host key cannot be known beforehand.
            fingerprint = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = true;
        };
        try
        {
            ssh.Connect();
            var probe = ssh.RunCommand("docker version --format '{{.Server.Version}}'");
            if (probe.ExitStatus != 0)
            {
                throw new BuildFailure($"{user}@{worker.Address} ({worker.InstanceId}) cannot use the worker's daemon: docker version exited {probe.ExitStatus}: {FirstLine(probe.Error)}",
                    $"the instance needs the docker CLI and a running Engine, and {user} in the docker group (the generated user-data does both: check /var/log/cloud-init-output.log on the instance)");
            }

            var folder = Path.Combine(Path.GetTempPath(), "gitlab-runner-ecr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
            _ = OperatingSystem.IsWindows()
                ? Directory.CreateDirectory(folder)
                : Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return new WorkerTunnel(ssh, folder, fingerprint ?? "unknown");
        }
        catch (Exception ex) when (ex is SshException or SocketException or IOException or TimeoutException or InvalidOperationException)
        {
            ssh.Dispose();
            throw ex is SshAuthenticationException
                ? new BuildFailure($"{worker.Address} ({worker.InstanceId}) refused {user} with the key {keyFile}: {ex.Message.TrimEnd('.')}",
                    "the instance must accept the key of FLEET_SSH_KEY for FLEET_SSH_USER (the launch template's key pair, or the public key in the user's authorized_keys); FLEET_SSH_USER must be the AMI's user")
                : new BuildFailure($"SSH to {worker.Address}:22 ({worker.InstanceId}) failed: {ex.Message.TrimEnd('.')}",
                    "this machine must reach the instances on port 22: the group's security group must allow it from the manager, and FLEET_USE_EXTERNAL_ADDR must match where this machine is (in the VPC: false)");
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_pumps)
            {
                _pumps.Add(Task.Run(() => PumpAsync(client)));
            }
        }
    }

    /// <summary>One connection: its bytes to dial-stdio's input, dial-stdio's output back, each side closed when the other ends.</summary>
    private async Task PumpAsync(Socket client)
    {
        using var command = _ssh.CreateCommand(DialStdio);
        using var local = new NetworkStream(client, ownsSocket: true);
        try
        {
            var running = command.ExecuteAsync(_stop.Token);
            var input = command.CreateInputStream();
            var up = Task.Run(async () =>
            {
                try
                {
                    await local.CopyToAsync(input, _stop.Token);
                }
                finally
                {
                    input.Dispose();
                }
            });
            var down = Task.Run(async () =>
            {
                await command.OutputStream.CopyToAsync(local, _stop.Token);
                client.Shutdown(SocketShutdown.Send);
            });
            await Task.WhenAll(up, down, running);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or SshException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away, or the tunnel is closing: the connection ends, which the client sees.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(TimeSpan.FromSeconds(5)));
        _ssh.Dispose();
        _stop.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
