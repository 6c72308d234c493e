using System.Diagnostics;
using System.Text.RegularExpressions;
using Build.Host;

namespace Build.Tests.Host;

/// <summary>The real build's graph, run as its own process the way build.sh starts it.</summary>
public sealed class BuildGraphTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string Root => _build.Root;

    private (int Code, string Output) Run(params string[] args) => _build.Run(args);

    private (int Code, string Output) RunWith(Dictionary<string, string> environment, params string[] args) => _build.RunWith(environment, args);

    private ChildProcess Start(Dictionary<string, string> environment, params string[] args) => _build.Start(environment, args);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private Dictionary<string, string> FakeMachine(string? docker, string? compose, string? dotnet) => _build.FakeMachine(docker, compose, dotnet);

    [Fact]
    public void Every_task_of_the_build_has_a_description_and_known_dependencies()
    {
        var tasks = TaskCatalog.Create(TaskCatalog.TypesIn(typeof(BuildContext).Assembly));

        Assert.Equal(
            ["Bootstrap", "BuildHelper", "Clean", "Diagnose", "Doctor", "Down", "Mirror", "Preflight", "Register", "SmokeTest", "StageCredentials", "Status", "Up"],
            tasks.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tasks, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
    }

    [Fact]
    public void Tree_shows_the_design_graph()
    {
        var (code, output) = Run("--tree");

        Assert.Equal(0, code);
        Assert.Matches(@"SmokeTest\s*\n\s*└─Register\s*\n\s*└─Bootstrap\s*\n\s*└─Up\s*\n\s*├─BuildHelper\s*\n\s*└─StageCredentials\s*\n\s*└─Preflight", output.Replace("\r", string.Empty));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Up_with_the_docker_daemon_down_fails_with_the_fix_and_writes_nothing()
    {
        // The instance role needs no credentials file, so the run gets as far as the daemon.
        var machine = FakeMachine(DaemonDown, ComposeV1, Sdk10);
        machine["CREDENTIALS_SOURCE"] = "instance-role";
        machine["ECR_REGISTRIES"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        var (code, output) = RunWith(machine, "--target=Up", "--exclusive");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"Up: the Docker daemon is not reachable: {Unreachable}", output);
        Assert.Contains("fix: start it (systemctl start docker, or dockerd &)", output);
        Assert.False(Directory.Exists(Path.Combine(Root, ".state")), "a refused run must leave nothing on disk");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void SmokeTest_with_a_fleet_and_no_ssh_key_stops_before_anything_runs_naming_the_setting()
    {
        // Given FLEET=aws and everything else SmokeTest needs, but no FLEET_SSH_KEY
        var machine = FakeMachine(DaemonDown, ComposeV1, Sdk10);
        machine["FLEET"] = "aws";
        machine["FLEET_ASG"] = "ci-workers";
        machine["PRIVATE_ECR_IMAGE"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1";

        // When SmokeTest runs alone, then it stops with usage's exit code, says what to set, and writes nothing
        var (code, output) = RunWith(machine, "--target=SmokeTest", "--exclusive");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("FLEET=aws and FLEET_SSH_KEY is not set: SmokeTest connects to a worker as the runner does", output);
        Assert.False(Directory.Exists(Path.Combine(Root, ".state")), "a refused run must leave nothing on disk");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void SmokeTest_with_a_fleet_refuses_an_ssh_key_others_may_read_and_never_prints_it()
    {
        // Given FLEET=aws with a key file of mode 0644
        var key = Path.Combine(Root, "worker-key");
        const string content = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material-7f3a\n-----END OPENSSH PRIVATE KEY-----\n";
        File.WriteAllText(key, content);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var machine = FakeMachine(DaemonDown, ComposeV1, Sdk10);
        machine["FLEET"] = "aws";
        machine["FLEET_ASG"] = "ci-workers";
        machine["FLEET_SSH_KEY"] = key;
        machine["PRIVATE_ECR_IMAGE"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1";

        // When SmokeTest runs alone
        var (code, output) = RunWith(machine, "--target=SmokeTest", "--exclusive");

        // Then it stops before anything runs, naming the mode and the chmod, and prints nothing of the key
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"FLEET_SSH_KEY = {key} may be read or changed by others (mode 0644), so ssh would refuse it and so does SmokeTest: chmod 600 {key}", output);
        Assert.DoesNotContain("secret-key-material", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Root, ".state")), "a refused run must leave nothing on disk");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Up_with_a_plugin_archive_that_does_not_exist_stops_before_anything_runs()
    {
        // Given FLEET=aws with an air-gapped plugin archive that is not there
        var machine = FakeMachine(DaemonDown, ComposeV1, Sdk10);
        machine["CREDENTIALS_SOURCE"] = "instance-role";
        machine["ECR_REGISTRIES"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        machine["FLEET"] = "aws";
        machine["FLEET_PLUGIN_ARCHIVE"] = Path.Combine(Root, "missing", "fleeting-plugin-aws.tar.gz");

        // When Up runs alone, then it names the archive and what to do, with usage's exit code, and writes nothing
        var (code, output) = RunWith(machine, "--target=Up", "--exclusive");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"FLEET_PLUGIN_ARCHIVE = {Path.Combine(Root, "missing", "fleeting-plugin-aws.tar.gz")} does not exist: point it at the plugin release's .tar.gz", output);
        Assert.False(Directory.Exists(Path.Combine(Root, ".state")), "a refused run must leave nothing on disk");
    }

    [Fact]
    public void Help_names_the_default_target_and_every_target()
    {
        var (code, output) = Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("Targets (default: Doctor):", output);
        Assert.Contains("argument over environment variable over .env.local over .env over default", output);
        Assert.Contains("--sts-endpoint / STS_ENDPOINT", output);
        foreach (var name in new[] { "BuildHelper", "Preflight", "StageCredentials", "Up", "Register", "SmokeTest", "Down", "Clean", "Status", "Doctor", "Mirror", "Diagnose" })
        {
            Assert.Matches($@"\n  {name}\s+\S", output);
        }
    }

    [Fact]
    public void SmokeTest_without_PRIVATE_ECR_IMAGE_stops_before_any_task_with_exit_code_2()
    {
        // Given no PRIVATE_ECR_IMAGE, when SmokeTest is asked for
        var (code, output) = Run("--target=SmokeTest");

        // Then nothing runs (not even Up or Register) and the error says what to set
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("PRIVATE_ECR_IMAGE is not set: set it to a private image in your ECR registry", output);
        Assert.Contains("(needed by SmokeTest)", output);
        Assert.DoesNotContain("BuildHelper", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Up_with_nothing_configured_names_everything_missing_before_the_first_task_starts()
    {
        // Given a fresh checkout (nothing in .env.local, no credentials file) and a docker that records every call
        var calls = Path.Combine(Root, "docker-calls");
        var machine = FakeMachine($"echo \"$*\" >> {calls}; exit 1\n", null, null);

        // When the whole chain up to Up is asked for
        var (code, output) = RunWith(machine, "--target=Up");

        // Then it stops at once with usage's exit code, listing each missing thing with the tasks that need it
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("ECR_REGISTRIES is not set and PRIVATE_ECR_IMAGE names no registry", output);
        Assert.Contains("(needed by Preflight)", output);
        Assert.Contains("no AWS credentials file at ", output);
        Assert.Contains("run ./build.sh --target=StageCredentials (it creates one from the template for you to fill in)", output);
        Assert.Contains("(needed by Up)", output);
        Assert.Contains("Nothing was changed", output);

        // And no task ran: no helper build, no docker call, no state folder, no file written
        Assert.DoesNotContain("Task ", output);
        Assert.False(File.Exists(calls));
        Assert.False(Directory.Exists(Path.Combine(Root, ".state")));
        Assert.False(File.Exists(Path.Combine(Root, ".env.local")));

        // And a dry run says the same, as a warning, and changes nothing either
        var (_, dry) = RunWith(machine, "--target=Up", "--dryrun");
        Assert.Contains("A real run would stop before its first task: ECR_REGISTRIES is not set", dry);
        Assert.False(File.Exists(calls));
    }

    [Fact]
    public void Bad_dotenv_stops_the_run_before_any_task_with_exit_code_2()
    {
        File.WriteAllText(Path.Combine(Root, ".env"), "GITLAB_SERVER_WEB_PORT=eighty\n");

        var (code, output) = Run("--target=Up");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("GITLAB_SERVER_WEB_PORT = \"eighty\" from .env line 1 is not valid", output);
        Assert.DoesNotContain("BuildHelper", output);
    }

    // Every Doctor test but the lab one runs on fakes only (PATH is the fakes' folder), so it does not
    // depend on what the machine running the tests has installed.
    private const string Unreachable = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

    private const string DaemonDown =
        """
        case "$*" in
          "version --format {{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Arch}}") echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;
          *) echo "docker: '$1' is not a docker command." >&2; exit 1 ;;
        esac

        """;

    private const string ComposeV1 = "echo 1.29.2\n";

    private const string Sdk10 = "echo '8.0.404 [/usr/share/dotnet/sdk]'\necho '10.0.100 [/usr/share/dotnet/sdk]'\n";

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Doctor_fails_with_a_fix_when_the_docker_daemon_cannot_be_reached()
    {
        var (code, output) = RunWith(FakeMachine(DaemonDown, ComposeV1, Sdk10), "--target=Doctor");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches($@"FAIL  docker daemon\s+not reachable: {Regex.Escape(Unreachable)}\n\s+fix: start the daemon", output);
        Assert.Matches(@"warn  compose\s+docker-compose 1\.29\.2 \(v1", output);
        Assert.Matches(@"ok    \.NET SDK\s+SDK 10\.0\.100", output);
        Assert.Contains("Doctor found 1 problem(s) (docker daemon)", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Doctor_says_to_install_docker_when_the_cli_is_missing()
    {
        var (code, output) = RunWith(FakeMachine(docker: null, ComposeV1, Sdk10), "--target=Doctor");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches(@"FAIL  docker daemon\s+the docker CLI is not installed\n\s+fix: install Docker Engine", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Doctor_fails_without_the_sdk_that_build_sh_compiles_with()
    {
        var (code, output) = RunWith(FakeMachine(DaemonDown, ComposeV1, "echo '8.0.404 [/usr/share/dotnet/sdk]'\n"), "--target=Doctor");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches(@"FAIL  \.NET SDK\s+found 8\.0\.404\n\s+fix: install the \.NET 10 SDK", output);
        Assert.Contains("Doctor found 2 problem(s) (docker daemon, .NET SDK)", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Doctor_failures_and_their_fixes_still_print_at_quiet_verbosity()
    {
        var (code, output) = RunWith(FakeMachine(DaemonDown, ComposeV1, Sdk10), "--target=Doctor", "--verbosity=quiet");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Matches(@"FAIL  docker daemon[^\n]*\n\s+fix: ", output);
        Assert.DoesNotContain("ok    .NET", output);
        Assert.Contains("Doctor found 1 problem(s) (docker daemon)", output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Doctor_prefers_the_compose_v2_plugin_and_reports_engine_and_api()
    {
        // A docker that answers like Engine 27 with the Compose v2 plugin installed.
        var docker =
            """
            case "$*" in
              "version --format {{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Arch}}") echo "27.5.1 1.47 1.24 amd64" ;;
              "compose version --short") echo "v2.32.4" ;;
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac

            """;

        var (code, output) = RunWith(FakeMachine(docker, ComposeV1, Sdk10), "--target=Doctor");

        Assert.True(code == 0, output);
        Assert.Matches(@"ok    docker daemon\s+Engine 27\.5\.1, API 1\.47", output);
        Assert.Matches(@"ok    compose\s+docker compose v2\.32\.4 \(plugin\)", output);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_signal_stops_the_running_command_and_exits_130(string signal)
    {
        // A docker that never answers: the fake writes its pid, then becomes a long sleep.
        var pidFile = Path.Combine(Root, "docker.pid");
        using var build = Start(FakeMachine($"echo $$ > '{pidFile}'\nexec /bin/sleep 60\n", ComposeV1, Sdk10), "--target=Doctor");
        var waited = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the build never started docker");
            await Task.Delay(20);
        }

        var docker = int.Parse(File.ReadAllText(pidFile).Trim());
        using (var kill = Process.Start("kill", ["-" + signal, build.Process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        var (code, output, error) = build.Finish(TimeSpan.FromSeconds(30));
        var printed = output + error;
        Assert.True(code == ExitCodes.Cancelled, printed);
        Assert.Contains("Cancelled", printed);
        Assert.False(Directory.Exists($"/proc/{docker}"), "the command the build was running outlived it");
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void Doctor_passes_on_the_lab_machine_and_reports_the_engine_and_compose()
    {
        var (code, output) = Run("--target=Doctor");

        Assert.True(code == 0, output);
        Assert.Matches(@"ok    docker daemon\s+Engine \S+, API 1\.\d+", output);
        Assert.Matches(@"(ok  |warn)  compose\s+docker[ -]compose", output);
        Assert.Matches(@"(ok  |warn)  free disk\s+\d+\.\d GiB free at ", output);
    }
}
