using System.Net;
using System.Net.Sockets;

namespace Lab.Fixtures.Runs;

/// <summary>
/// Server mode in the lab. The GitLab CE image cannot be pulled here: the lab's gitlab-standin image runs as the compose
/// project's <c>gitlab</c> service instead, forwarding its published web port to this run's GitLab emulator, which listens
/// on a Unix socket in the bind-mounted data folder (STATE_DIR/server/data/standin); its gitlab-rails hands root's token
/// to the emulator through a file there. Everything else is the real build, Docker and Compose, as in <see cref="UpRun"/>.
/// </summary>
public sealed class ServerRun : IAsyncDisposable
{
    private ServerRun(LabFixture lab, string name)
    {
        Up = new UpRun(lab, name);
        StandIn = Path.Combine(Up.State, "server", "data", "standin");
        WebPort = FreePort();
        var ssh = FreePort();
        while (ssh == WebPort)
        {
            ssh = FreePort();
        }

        // The jobs go on the compose project's network, where the service name gitlab resolves.
        Up.Environment.Remove("RUNNER_NETWORK");
        Up.Environment["GITLAB_SERVER_IMAGE"] = lab.Images.GitLabStandIn;
        Up.Environment["GITLAB_SERVER_WEB_PORT"] = WebPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Up.Environment["GITLAB_SERVER_SSH_PORT"] = ssh.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Up.Environment["GITLAB_SERVER_TIMEOUT"] = "120";
        Up.Environment["DOCKER_CLI_IMAGE"] = lab.Images.DockerCli;
    }

    public UpRun Up { get; }

    public GitLabEmulator GitLab { get; private set; } = null!;

    /// <summary>STATE_DIR/server/data/standin: the emulator's socket, root's tokens, gitlab-rails' recorded argv.</summary>
    public string StandIn { get; }

    public int WebPort { get; }

    public string TokenFile => Path.Combine(Up.State, "server", "bootstrap", "root-token");

    public string ConfigFile => Path.Combine(Up.State, "runner", "config", "config.toml");

    /// <summary>The argv of every gitlab-rails call in the stand-in, one line each.</summary>
    public IReadOnlyList<string> RailsCalls => File.Exists(Path.Combine(StandIn, "gitlab-rails.argv")) ? File.ReadAllLines(Path.Combine(StandIn, "gitlab-rails.argv")) : [];

    public static async Task<ServerRun> StartAsync(LabFixture lab, string name, CancellationToken cancel)
    {
        var run = new ServerRun(lab, name);
        Directory.CreateDirectory(run.StandIn);
        run.GitLab = await GitLabEmulator.StartNewAsync(new GitLabEmulatorOptions { UnixSocket = Path.Combine(run.StandIn, "gitlab.socket") }, cancel);
        run.GitLab.RootTokensFile = Path.Combine(run.StandIn, "root-tokens");
        run.Up.Environment["HELPER_PATH"] = await LabHelper.Amd64Async();
        return run;
    }

    /// <summary>The stand-in's healthcheck fails with this text until <see cref="MakeHealthy"/>.</summary>
    public void MakeUnhealthy(string why) => File.WriteAllText(Path.Combine(StandIn, "unhealthy"), why);

    public void MakeHealthy() => File.Delete(Path.Combine(StandIn, "unhealthy"));

    public Task<ProcessResult> RunAsync(CancellationToken cancel, params string[] args) => Up.RunAsync(cancel, args);

    public async ValueTask DisposeAsync()
    {
        await Up.DisposeAsync();
        if (GitLab is not null)
        {
            await GitLab.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
