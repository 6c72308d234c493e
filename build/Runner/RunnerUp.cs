using Build.Aws;
using Build.DindToken;
using Build.Docker;
using Build.Helper;
using Build.Processes;
using Build.Settings;

namespace Build.Runner;

/// <summary>
/// Starts the runner's compose project: checks every input first (daemon, Compose, the staged helper
/// and credentials, the network, the state folder, the images), then <c>up -d</c>, then waits until the runner runs.
/// A second run with the same inputs finds the same container running and does nothing.
/// </summary>
/// <param name="root">The repository root: the compose file and the credentials' repository checks start there.</param>
/// <param name="environment">The process environment (the instance role's and environment keys' variables).</param>
/// <param name="compose">Compose v2 or v1, detected when first asked (null when neither answers).</param>
/// <param name="claimState">Makes sure the build may write into STATE_DIR, before Up first writes there.</param>
public sealed class RunnerUp(
    BuildSettings settings, State.StateLayout state, string root, Func<string, string?> environment, FileFacts fileFacts, DockerCli docker,
    Func<ComposeCli?> compose, Server.ServerReadiness server, Action claimState, Action<string> info, CancellationToken cancellation)
{
    /// <summary>The newest Engine API docker-compose v1 (docker-py 5) speaks.</summary>
    public const string ComposeV1MaximumApi = "1.41";

    private static readonly TimeSpan RunningTimeout = TimeSpan.FromSeconds(90);

    private string StatePath => state.UpState;

    /// <summary>The stack for the daemon's platform; a <see cref="BuildFailure"/> or <see cref="BuildFailure"/> when an input is not staged.</summary>
    public RunnerStack Stack(DockerEngine engine)
    {
        var credentials = RunnerCredentials.For(settings, environment);
        credentials.Require(settings, fileFacts, RunnerCredentials.JobsFile(settings)?.Path);
        var output = HelperOutput.For(settings);
        var helper = output.BinaryFor(engine.Platform);
        var sha = output.ReadManifest()!.Binaries.First(b => b.Platform == engine.Platform).Sha256;

        return RunnerStack.Create(settings, root, helper, sha, credentials);
    }

    /// <summary>Null when the runner is up with exactly these inputs (the container Up started, running); else why Up must run.</summary>
    public string? UpToDate(out string detail)
    {
        detail = string.Empty;
        var up = UpState.Read(StatePath);
        if (up is null)
        {
            return "not started by Up yet";
        }

        var stack = Stack(docker.Engine(TimeSpan.FromSeconds(20)));
        if (stack.InputsHash != up.InputsHash)
        {
            return "its inputs changed";
        }

        if (stack.TokenMode && up.TokenContainerId is null)
        {
            return "the DinD token refresher was not started by Up yet";
        }

        if (!docker.AreRunning(stack.TokenMode ? [up.ContainerId, up.TokenContainerId!] : [up.ContainerId]))
        {
            return stack.TokenMode ? "the runner or the DinD token refresher is not running" : "the runner container is not running";
        }

        if (stack.TokenMode && TokenStatus.Read(state.DindTokenStatus) is not { Succeeded: true })
        {
            return "the DinD token refresher's last refresh did not succeed";
        }

        if (settings.Fleet.Enabled && new Fleet.FleetPlugin(settings, state, docker, info).NeedsInstall)
        {
            return $"the fleeting plugin {settings.Fleet.Plugin} is not installed yet";
        }

        if (settings.Server.Enabled && server.Container() is var gitlab
            && (gitlab is null || docker.ContainerStatus(gitlab) != "running"))
        {
            return "the local GitLab container is not running";
        }

        detail = $"runner container {up.ContainerId[..12]} running with the same inputs{(stack.TokenMode ? $", DinD token refresher {up.TokenContainerId![..12]} renewing" : string.Empty)}{(settings.Server.Enabled ? ", local GitLab running" : string.Empty)}";
        return null;
    }

    public void Start()
    {
        var engine = Engine();
        var cli = compose() ?? throw new BuildFailure(
            "neither 'docker compose' (v2 plugin) nor 'docker-compose' (v1) answers",
            "install the Compose v2 plugin (Debian/Ubuntu: docker-compose-plugin), or Compose v1 (apt-get install docker-compose)");
        if (!cli.Version.IsPlugin && engine.Refuses(ComposeV1MaximumApi))
        {
            throw new BuildFailure(
                $"Docker Engine {engine.Version} accepts API {engine.MinimumApiVersion} and newer, and {cli.Version} speaks at most {ComposeV1MaximumApi}",
                "install the Compose v2 plugin (docker compose); Compose v1 cannot talk to this Engine");
        }

        var stack = Stack(engine);
        PrepareStateFolder(stack);
        var plugin = settings.Fleet.Enabled ? new Fleet.FleetPlugin(settings, state, docker, info) : null;
        plugin?.Prepare();
        CheckNetwork();
        stack.Write(cli.Version);
        Check(cli.Run(stack.ProjectWithAllProfiles, ["config", "--quiet"], stack.Options), "the compose project is not valid", "the compose error above names the file and key; assets/compose/compose.yaml is the project's, the override is generated from the settings");
        EnsureImage(settings.Runner.Image.ToString(), "GITLAB_RUNNER_IMAGE");
        if (settings.Server.Enabled)
        {
            EnsureImage(settings.Server.Image.ToString(), "GITLAB_SERVER_IMAGE");
        }

        // The local GitLab is waited for below, with progress and GITLAB_SERVER_TIMEOUT, not by v2's --wait.
        var up = cli.Up(stack.Project, wait: !settings.Server.Enabled, stack.Options with { Timeout = TimeSpan.FromMinutes(10) });
        Check(up, "docker compose up failed", UpFix(up.StandardError));
        var container = WaitUntilRunning(cli, stack, RunnerStack.RunnerService);
        plugin?.Install(container);
        var refresher = Refresher(stack);
        (string Id, TokenStatus Status)? token = null;
        if (stack.TokenMode)
        {
            var id = WaitUntilRunning(cli, stack, RunnerStack.TokenService);
            token = (id, refresher.WaitForFirstRefresh(id));
        }
        else
        {
            refresher.RemoveLeftovers();
        }

        if (settings.Server.Enabled)
        {
            server.Wait();
        }

        new UpState(stack.InputsHash, container, token?.Id).Write(StatePath);
        Report(stack, container, cli);
        foreach (var line in token is { } t ? refresher.Report(t.Id, t.Status, settings.Runner.DindTokenRefresh) : [])
        {
            info(line);
        }
    }

    private TokenRefresher Refresher(RunnerStack stack) =>
        new(docker, state, settings.ComposeProjectName, [.. settings.Aws.Registries.Select(r => r.Host)], $"{stack.Script} logs {RunnerStack.TokenService}", info, cancellation);

    private DockerEngine Engine()
    {
        try
        {
            return docker.Engine(TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            throw new BuildFailure($"the Docker daemon is {ex.Message}", "start it (systemctl start docker, or dockerd &) and check that this user may use /var/run/docker.sock; ./build.sh --target=Doctor checks the machine");
        }
    }

    private void PrepareStateFolder(RunnerStack stack)
    {
        claimState();
        try
        {
            Directory.CreateDirectory(stack.Directory);
            Directory.CreateDirectory(stack.RunnerConfigDirectory);
            if (stack.TokenMode)
            {
                // Made here, by the build's user: a bind mount's missing source would be made by the daemon, as root.
                _ = OperatingSystem.IsWindows()
                    ? Directory.CreateDirectory(state.DindTokenDocker)
                    : Directory.CreateDirectory(state.DindTokenDocker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var probe = Path.Combine(stack.Directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new BuildFailure($"the state folder {settings.StateDirectory.FullPath} is not writable ({ex.Message})", "fix its owner or mode, or set STATE_DIR to a folder this user can write");
        }
    }

    private void CheckNetwork()
    {
        if (settings.Runner.Network is { } network && !docker.NetworkExists(network))
        {
            throw new BuildFailure($"RUNNER_NETWORK = {network}: no such Docker network", $"create it (docker network create {network}), or set RUNNER_NETWORK to an existing one (docker network ls)");
        }
    }

    private void EnsureImage(string image, string setting)
    {
        if (docker.EnsureImage(image, settings.PullMissingImages, info) is { } problem)
        {
            throw new BuildFailure($"{setting} = {image}: {problem}", $"check the name and tag, log in to its registry (docker login), load the image (docker load), or set {setting} to an image the daemon has");
        }
    }

    private string WaitUntilRunning(ComposeCli cli, RunnerStack stack, string service)
    {
        var what = service == RunnerStack.RunnerService ? "the runner container" : "the DinD token refresher";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var id = cli.Run(stack.Project, ["ps", "--quiet", service], stack.Options).StandardOutput.Trim();
            var status = id.Length == 0 ? "missing" : docker.ContainerStatus(id);
            if (status == "running")
            {
                return id;
            }

            if (status is "exited" or "dead" || clock.Elapsed > RunningTimeout)
            {
                var logs = id.Length == 0 ? string.Empty : docker.Logs(id, 20) is var result ? (result.StandardOutput + result.StandardError).Trim() : string.Empty;
                throw new BuildFailure($"{what} is {status} after {clock.Elapsed.TotalSeconds:0} s{(logs.Length == 0 ? string.Empty : "; its last log lines:\n" + logs)}", $"read {stack.Script} logs {service}; check GITLAB_RUNNER_IMAGE and the mounts listed by --verbosity=verbose");
            }

            // Waits over a second show their progress.
            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(1))
            {
                reported = clock.Elapsed;
                info($"waiting for {what}: {status} ({clock.Elapsed.TotalSeconds:0} s)");
            }

            Thread.Sleep(250);
        }
    }

    private void Report(RunnerStack stack, string container, ComposeCli cli)
    {
        info($"runner container {container[..12]} running ({settings.Runner.Image}), project {settings.ComposeProjectName}{(settings.Server.Enabled ? ", with the local GitLab (server profile)" : string.Empty)}");
        info($"helper {stack.HelperBinary} -> /usr/local/bin/docker-credential-ecr-login (read-only)");
        foreach (var mount in stack.Credentials.Runner.Mounts)
        {
            info($"credentials: {mount}");
        }

        if (stack.Credentials.Runner.SecretEnvironment.Count > 0)
        {
            info($"credentials: {string.Join(", ", stack.Credentials.Runner.SecretEnvironment.Keys)} passed from this environment (never written to a file)");
        }

        info($"state: {settings.StateDirectory.FullPath} (runner config {stack.RunnerConfigDirectory})");
        info($"follow the runner: {stack.Script} logs -f runner   ({cli.Version})");
    }

    private static void Check(CommandResult result, string problem, string fix)
    {
        if (!result.Succeeded)
        {
            throw new BuildFailure($"{problem}:\n{Tail(result.StandardError)}", fix);
        }
    }

    private string UpFix(string error) =>
        error.Contains("port is already allocated", StringComparison.Ordinal) || error.Contains("address already in use", StringComparison.Ordinal)
            ? $"a port of the local GitLab is in use: set GITLAB_SERVER_WEB_PORT (now {settings.Server.WebPort}) or GITLAB_SERVER_SSH_PORT (now {settings.Server.SshPort}) to a free port"
            : "the compose error above says what failed; the project's containers are listed by STATE_DIR/compose/compose ps";

    private static string Tail(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
}
