using Build.Aws;
using Build.Docker;
using Build.Helper;
using Build.Processes;
using Cake.Common.Diagnostics;

namespace Build.Runner;

/// <summary>
/// Starts the runner's compose project: checks every input first (daemon, Compose, the staged helper
/// and credentials, the network, the state folder, the images), then <c>up -d</c>, then waits until the runner runs.
/// A second run with the same inputs finds the same container running and does nothing.
/// </summary>
public sealed class RunnerUp(BuildContext context)
{
    /// <summary>The newest Engine API docker-compose v1 (docker-py 5) speaks.</summary>
    public const string ComposeV1MaximumApi = "1.41";

    private static readonly TimeSpan RunningTimeout = TimeSpan.FromSeconds(90);

    private string StatePath => context.State.UpState;

    /// <summary>The stack for the daemon's platform; a <see cref="BuildFailure"/> or <see cref="BuildFailure"/> when an input is not staged.</summary>
    public RunnerStack Stack(DockerEngine engine)
    {
        var credentials = RunnerCredentials.For(context.Settings, context.EnvironmentVariables);
        credentials.Require(context.Settings, context.FileFacts, RunnerCredentials.JobsFile(context.Settings)?.Path);
        var output = HelperOutput.For(context.Settings);
        var helper = output.BinaryFor(engine.Platform);
        var sha = output.ReadManifest()!.Binaries.First(b => b.Platform == engine.Platform).Sha256;

        return RunnerStack.Create(context.Settings, context.Root.FullPath, helper, sha, credentials);
    }

    /// <summary>Null when the runner is up with exactly these inputs (the container Up started, running); else why Up must run.</summary>
    public string? UpToDate(out string detail)
    {
        detail = string.Empty;
        var state = UpState.Read(StatePath);
        if (state is null)
        {
            return "not started by Up yet";
        }

        var stack = Stack(context.Docker.Engine(TimeSpan.FromSeconds(20)));
        if (stack.InputsHash != state.InputsHash)
        {
            return "its inputs changed";
        }

        if (!context.Docker.IsRunning(state.ContainerId))
        {
            return "the runner container is not running";
        }

        if (context.Settings.Server.Enabled && new Server.ServerReadiness(context).Container() is var gitlab
            && (gitlab is null || context.Docker.ContainerStatus(gitlab) != "running"))
        {
            return "the local GitLab container is not running";
        }

        detail = $"runner container {state.ContainerId[..12]} running with the same inputs{(context.Settings.Server.Enabled ? ", local GitLab running" : string.Empty)}";
        return null;
    }

    public void Start()
    {
        var engine = Engine();
        var compose = context.Compose ?? throw new BuildFailure(
            "neither 'docker compose' (v2 plugin) nor 'docker-compose' (v1) answers",
            "install the Compose v2 plugin (Debian/Ubuntu: docker-compose-plugin), or Compose v1 (apt-get install docker-compose)");
        if (!compose.Version.IsPlugin && engine.Refuses(ComposeV1MaximumApi))
        {
            throw new BuildFailure(
                $"Docker Engine {engine.Version} accepts API {engine.MinimumApiVersion} and newer, and {compose.Version} speaks at most {ComposeV1MaximumApi}",
                "install the Compose v2 plugin (docker compose); Compose v1 cannot talk to this Engine");
        }

        var stack = Stack(engine);
        PrepareStateFolder(stack);
        CheckNetwork();
        stack.Write(compose.Version);
        Check(compose.Run(stack.ProjectWithAllProfiles, ["config", "--quiet"], stack.Options), "the compose project is not valid", "the compose error above names the file and key; assets/compose/compose.yaml is the project's, the override is generated from the settings");
        EnsureImage(context.Settings.Runner.Image.ToString(), "GITLAB_RUNNER_IMAGE");
        if (context.Settings.Server.Enabled)
        {
            EnsureImage(context.Settings.Server.Image.ToString(), "GITLAB_SERVER_IMAGE");
        }

        // The local GitLab is waited for below, with progress and GITLAB_SERVER_TIMEOUT, not by v2's --wait.
        var up = compose.Up(stack.Project, wait: !context.Settings.Server.Enabled, stack.Options with { Timeout = TimeSpan.FromMinutes(10) });
        Check(up, "docker compose up failed", UpFix(up.StandardError));
        var container = WaitUntilRunning(compose, stack);
        if (context.Settings.Server.Enabled)
        {
            new Server.ServerReadiness(context).Wait();
        }

        new UpState(stack.InputsHash, container).Write(StatePath);
        Report(stack, container, compose);
    }

    private DockerEngine Engine()
    {
        try
        {
            return context.Docker.Engine(TimeSpan.FromSeconds(20));
        }
        catch (CommandException ex)
        {
            throw new BuildFailure($"the Docker daemon is {ex.Message}", "start it (systemctl start docker, or dockerd &) and check that this user may use /var/run/docker.sock; ./build.sh --target=Doctor checks the machine");
        }
    }

    private void PrepareStateFolder(RunnerStack stack)
    {
        context.ClaimState();
        try
        {
            Directory.CreateDirectory(stack.Directory);
            Directory.CreateDirectory(stack.RunnerConfigDirectory);
            var probe = Path.Combine(stack.Directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new BuildFailure($"the state folder {context.StateDirectory.FullPath} is not writable ({ex.Message})", "fix its owner or mode, or set STATE_DIR to a folder this user can write");
        }
    }

    private void CheckNetwork()
    {
        if (context.Settings.Runner.Network is { } network
            && !context.Docker.NetworkExists(network))
        {
            throw new BuildFailure($"RUNNER_NETWORK = {network}: no such Docker network", $"create it (docker network create {network}), or set RUNNER_NETWORK to an existing one (docker network ls)");
        }
    }

    private void EnsureImage(string image, string setting)
    {
        if (context.Docker.EnsureImage(image, context.Settings.PullMissingImages, m => context.Information(m)) is { } problem)
        {
            throw new BuildFailure($"{setting} = {image}: {problem}", $"check the name and tag, log in to its registry (docker login), load the image (docker load), or set {setting} to an image the daemon has");
        }
    }

    private string WaitUntilRunning(ComposeCli compose, RunnerStack stack)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var id = compose.Run(stack.Project, ["ps", "--quiet", RunnerStack.RunnerService], stack.Options).StandardOutput.Trim();
            var status = id.Length == 0 ? "missing" : context.Docker.ContainerStatus(id);
            if (status == "running")
            {
                return id;
            }

            if (status is "exited" or "dead" || clock.Elapsed > RunningTimeout)
            {
                var logs = id.Length == 0 ? string.Empty : context.Docker.Logs(id, 20).StandardError;
                throw new BuildFailure($"the runner container is {status} after {clock.Elapsed.TotalSeconds:0} s{(logs.Length == 0 ? string.Empty : "; its last log lines:\n" + logs)}", $"read {stack.Script} logs runner; check GITLAB_RUNNER_IMAGE and the mounts listed by --verbosity=verbose");
            }

            // Waits over a second show their progress.
            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(1))
            {
                reported = clock.Elapsed;
                context.Information($"waiting for the runner container: {status} ({clock.Elapsed.TotalSeconds:0} s)");
            }

            Thread.Sleep(250);
        }
    }

    private void Report(RunnerStack stack, string container, ComposeCli compose)
    {
        context.Information($"runner container {container[..12]} running ({context.Settings.Runner.Image}), project {context.Settings.ComposeProjectName}{(context.Settings.Server.Enabled ? ", with the local GitLab (server profile)" : string.Empty)}");
        context.Information($"helper {stack.HelperBinary} -> /usr/local/bin/docker-credential-ecr-login (read-only)");
        foreach (var mount in stack.Credentials.Runner.Mounts)
        {
            context.Information($"credentials: {mount}");
        }

        if (stack.Credentials.Runner.SecretEnvironment.Count > 0)
        {
            context.Information($"credentials: {string.Join(", ", stack.Credentials.Runner.SecretEnvironment.Keys)} passed from this environment (never written to a file)");
        }

        context.Information($"state: {context.StateDirectory.FullPath} (runner config {stack.RunnerConfigDirectory})");
        context.Information($"follow the runner: {stack.Script} logs -f runner   ({compose.Version})");
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
            ? $"a port of the local GitLab is in use: set GITLAB_SERVER_WEB_PORT (now {context.Settings.Server.WebPort}) or GITLAB_SERVER_SSH_PORT (now {context.Settings.Server.SshPort}) to a free port"
            : "the compose error above says what failed; the project's containers are listed by STATE_DIR/compose/compose ps";

    private static string Tail(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
}
