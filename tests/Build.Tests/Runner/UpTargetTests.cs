using System.Diagnostics;
using Build.Host;
using Build.Tests.Host;
using Tests.Shared;

namespace Build.Tests.Runner;

/// <summary>
/// The Up target run as its own process against fake docker and docker-compose that log their calls: the Compose
/// flavour chosen and its arguments, and each failure Up must explain (the real Engine and Compose v1 are
/// exercised by the lab's UpTests; Compose v2 and Engine 29 are not installed here).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UpTargetTests : IDisposable
{
    private const string Container = "c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789";
    private const string TokenContainer = "70cea5e0123456789abc70cea5e0123456789abc70cea5e0123456789abc0000";

    private readonly BuildProcess _build = new();
    private readonly DirectoryInfo _outside = Directory.CreateTempSubdirectory("up-target-outside-");
    private readonly Dictionary<string, string> _settings;

    public UpTargetTests()
    {
        var compose = Path.Combine(_build.Root, "assets", "compose");
        Directory.CreateDirectory(compose);
        File.Copy(Path.Combine(TestRepository.Root(), "assets", "compose", "compose.yaml"), Path.Combine(compose, "compose.yaml"));
        Directory.CreateDirectory(Path.Combine(_build.Root, "assets", "dind-token"));
        File.Copy(RefresherScript, Path.Combine(_build.Root, "assets", "dind-token", "refresh-dind-tokens.sh"));
        // A well-formed credentials file outside the build's root (Up checks it as it mounts it).
        var credentials = Path.Combine(_outside.FullName, "credentials");
        File.WriteAllText(credentials, CredentialsRun.GoodFile);
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _settings = new()
        {
            ["HELPER_SOURCE"] = "path",
            ["HELPER_PATH"] = "/bin/busybox",
            ["HELPER_PLATFORMS"] = "linux/amd64",
            ["RUNNER_CREDENTIALS_FILE"] = credentials,
            ["AWS_CA_BUNDLE"] = string.Empty,
            ["ECR_REGISTRIES"] = CredentialsRun.Registry,
            // These tests are about Compose and the runner; token mode's are below, with a refresher that answers.
            ["DIND_AUTH"] = "helper",
        };
        var (code, output) = _build.RunWith(_settings, "--target=BuildHelper");
        Assert.True(code == 0, output);
    }

    public void Dispose()
    {
        _build.Dispose();
        _outside.Delete(recursive: true);
    }

    private string Calls => File.Exists(CallsFile) ? File.ReadAllText(CallsFile) : string.Empty;

    private string CallsFile => Path.Combine(_build.Root, "calls");

    private static string RefresherScript => Path.Combine(TestRepository.Root(), "assets", "dind-token", "refresh-dind-tokens.sh");

    private string StatusFile => Path.Combine(_build.Root, ".state", "runner", "dind-token", "status.json");

    /// <summary>A compose <c>up</c> whose refresher writes status.json with <paramref name="result"/> (an error naming the cause when failed).</summary>
    private string RefresherWrites(string result) =>
        $$"""
        /bin/mkdir -p '{{Path.GetDirectoryName(StatusFile)}}'; now=$(/bin/date +%s)
        printf '{"version": 1, "refreshed_at": %s, "result": "{{result}}", "interval_seconds": 3600, "last_success_at": 0, "registries": [{"host": "{{CredentialsRun.Registry}}", "result": "{{result}}", "obtained_at": %s, "expires_at": %s, "expiry_from": "assumed", "error": "{{(result == "ok" ? string.Empty : "level=error msg=Error retrieving credentials error=InvalidSignatureException: signature mismatch")}}"}]}' "$now" "$now" "$((now + 43200))" > '{{StatusFile}}'
        """;

    /// <summary>Fake docker (with the compose plugin when <paramref name="plugin"/>) and docker-compose v1 (when <paramref name="v1"/>).</summary>
    private Dictionary<string, string> Machine(
        string engine = "29.1.3 1.52 1.44 amd64", string? plugin = "v2.32.4", string? v1 = null, string up = "exit 0", string status = "running",
        string refresher = "running 2020-01-01T00:00:00.000000000Z", string leftover = "")
    {
        var compose =
            $$"""
            *" config --quiet"*) exit 0 ;;
            *" up "*) {{up}} ;;
            *" ps --quiet runner"*) echo {{Container}} ;;
            *" ps --quiet ecr-token"*) echo {{TokenContainer}} ;;
            """;
        var docker =
            $$"""
            echo "docker $*" >> '{{CallsFile}}'
            case "$*" in
              "version --format "*) echo "{{engine}}" ;;
              "compose version --short") {{(plugin is null ? "echo \"docker: 'compose' is not a docker command.\" >&2; exit 1" : "echo " + plugin)}} ;;
              {{(plugin is null ? string.Empty : compose)}}
              "image inspect "*|"network inspect "*) echo ok ;;
              "inspect --format "*StartedAt*) echo "{{refresher}}" ;;
              "inspect --format "*) echo {{status}} ;;
              "ps --quiet --no-trunc "*) echo {{Container}}; case "$*" in *{{TokenContainer}}*) echo {{TokenContainer}} ;; esac ;;
              "ps --all --quiet --no-trunc "*) echo "{{leftover}}" ;;
              "rm --force --volumes "*) exit 0 ;;
              "logs "*) echo "runner: configuration error" >&2 ;;
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac

            """;
        var dockerCompose = v1 is null ? null :
            $$"""
            echo "docker-compose $*" >> '{{CallsFile}}'
            case "$*" in
              "version --short") echo {{v1}} ;;
              {{compose}}
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac

            """;
        var machine = _build.FakeMachine(docker, dockerCompose, dotnet: null);
        foreach (var (key, value) in _settings)
        {
            machine[key] = value;
        }

        return machine;
    }

    private (int Code, string Output) Up(Dictionary<string, string> machine) => _build.RunWith(machine, "--target=Up", "--exclusive");

    [Fact]
    public void Compose_v2_is_preferred_and_up_waits_for_the_services()
    {
        var (code, output) = Up(Machine(v1: "1.29.2"));

        Assert.True(code == 0, output);
        var up = Calls.Split('\n').Single(l => l.Contains(" up ", StringComparison.Ordinal));
        Assert.StartsWith("docker compose --project-name gitlab-runner-ecr --file ", up);
        Assert.EndsWith("runner.override.json up --detach --wait", up);
        Assert.DoesNotContain("docker-compose ", Calls);
        Assert.Contains($"runner container {Container[..12]} running", output);
        Assert.Contains("(docker compose v2.32.4 (plugin))", output);
    }

    [Fact]
    public void Bootstrap_outside_server_mode_skips_with_the_reason_and_calls_nothing()
    {
        var (code, output) = _build.RunWith(Machine(), "--target=Bootstrap", "--exclusive");

        Assert.True(code == 0, output);
        Assert.Contains("Skipping task Bootstrap: server mode is off (SERVER=false): Register uses GITLAB_URL", output);
        Assert.Equal(string.Empty, Calls);
    }

    [Fact]
    public void Register_alone_in_server_mode_without_the_bootstrapped_token_says_how_to_get_it()
    {
        var (code, output) = _build.RunWith(Machine(), "--target=Register", "--exclusive", "--server");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("server mode, and the local GitLab's root token is not in ", output);
        Assert.Contains("run ./build.sh --target=Register --server without --exclusive (its Bootstrap step creates the token)", output);
    }

    [Fact]
    public void Compose_v1_runs_when_there_is_no_plugin_and_gets_no_wait_flag()
    {
        var (code, output) = Up(Machine(engine: "20.10.24 1.41 1.12 amd64", plugin: null, v1: "1.29.2"));

        Assert.True(code == 0, output);
        var up = Calls.Split('\n').Single(l => l.Contains(" up ", StringComparison.Ordinal));
        Assert.StartsWith("docker-compose --project-name gitlab-runner-ecr --file ", up);
        Assert.EndsWith("runner.override.json up --detach", up);
    }

    [Fact]
    public void Compose_v1_against_an_engine_that_refuses_its_api_says_to_install_v2()
    {
        var (code, output) = Up(Machine(engine: "29.1.3 1.52 1.44 amd64", plugin: null, v1: "1.29.2"));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Docker Engine 29.1.3 accepts API 1.44 and newer, and docker-compose 1.29.2 speaks at most 1.41", output);
        Assert.Contains("fix: install the Compose v2 plugin", output);
        Assert.DoesNotContain(" up ", Calls);
    }

    [Fact]
    public void No_compose_at_all_says_what_to_install()
    {
        var (code, output) = Up(Machine(plugin: null, v1: null));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("neither 'docker compose' (v2 plugin) nor 'docker-compose' (v1) answers", output);
        Assert.False(Directory.Exists(Path.Combine(_build.Root, ".state", "compose")), "nothing is written before the inputs are checked");
    }

    [Fact]
    public void Credentials_that_are_not_staged_name_the_target_to_run()
    {
        var machine = Machine();
        machine["RUNNER_CREDENTIALS_FILE"] = Path.Combine(_build.Root, "no-such-credentials");

        var (code, output) = Up(machine);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"RUNNER_CREDENTIALS_FILE = {machine["RUNNER_CREDENTIALS_FILE"]} does not exist either", output);
        Assert.Contains("run ./build.sh --target=StageCredentials (it creates one from the template", output);
        Assert.DoesNotContain(" up ", Calls);
    }

    [Fact]
    public void A_port_in_use_names_the_setting_to_change()
    {
        var up = "echo 'Error starting userland proxy: listen tcp4 127.0.0.1:8800: bind: address already in use' >&2; exit 1";

        var (code, output) = _build.RunWith(new Dictionary<string, string>(Machine(up: up)) { ["SERVER"] = "true", ["GITLAB_SERVER_IMAGE"] = "gitlab/gitlab-ce:test" }, "--target=Up", "--exclusive");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("docker compose up failed", output);
        Assert.Contains("address already in use", output);
        Assert.Contains("set GITLAB_SERVER_WEB_PORT (now 8800) or GITLAB_SERVER_SSH_PORT (now 2200) to a free port", output);
        // Server mode waits for GitLab itself (progress, GITLAB_SERVER_TIMEOUT), not with v2's --wait.
        Assert.Contains("--profile server up --detach", Calls);
        Assert.DoesNotContain("--profile server up --detach --wait", Calls);
    }

    [Fact]
    public void A_runner_that_exits_is_reported_with_its_last_log_lines()
    {
        var (code, output) = Up(Machine(status: "exited"));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("the runner container is exited after", output);
        Assert.Contains("runner: configuration error", output);
    }

    [Fact]
    public void A_state_folder_that_cannot_be_written_is_named_with_the_fix()
    {
        File.WriteAllText(Path.Combine(_build.Root, ".state", "compose"), "a file where Up needs a folder");

        var (code, output) = Up(Machine());

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"the state folder {Path.Combine(_build.Root, ".state")} is not writable", output);
        Assert.Contains("set STATE_DIR to a folder this user can write", output);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_while_waiting_for_the_runner_exits_130_and_says_what_may_be_half_started(string signal)
    {
        using var build = _build.Start(Machine(status: "created"), "--target=Up", "--exclusive");
        var waited = Stopwatch.StartNew();
        while (!Calls.Contains("inspect --format {{.State.Status}}", StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "Up never started waiting for the runner");
            await Task.Delay(50);
        }

        using (var kill = Process.Start("kill", ["-" + signal, build.Process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        var (code, output, error) = build.Finish(TimeSpan.FromSeconds(30));
        Assert.True(code == ExitCodes.Cancelled, output + error);
        Assert.Contains("Up was stopped before the runner was confirmed running: containers may be half started", output + error);
    }

    [Fact]
    public void Token_mode_starts_the_refresher_and_waits_for_its_first_refresh_and_a_second_Up_changes_nothing()
    {
        // Given token mode and a refresher that writes its first token when compose starts it
        var machine = Machine(up: RefresherWrites("ok"));
        machine["DIND_AUTH"] = "token";

        // When Up runs
        var (code, output) = Up(machine);

        // Then compose starts the ecr-token profile, and Up reports the refresher and the token's expiry
        Assert.True(code == 0, output);
        var up = Calls.Split('\n').Single(l => l.Contains(" up ", StringComparison.Ordinal));
        Assert.Contains("--profile ecr-token up --detach --wait", up);
        Assert.Contains($"DinD tokens: refresher {TokenContainer[..12]} renews {Path.Combine(_build.Root, ".state", "runner", "dind-token", "docker", "config.json")} every 1 h", output);
        Assert.Contains($"DinD token for {CredentialsRun.Registry}: expires at ", output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_build.Root, ".state", "runner", "dind-token", "docker")));

        // And a second Up with the same inputs, both containers running and the last refresh good, does nothing
        File.Delete(CallsFile);
        var (again, second) = Up(machine);
        Assert.True(again == 0, second);
        Assert.Contains($"Skipping task Up: runner container {Container[..12]} running with the same inputs, DinD token refresher {TokenContainer[..12]} renewing", second);
        Assert.Equal(2, Calls.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Token_mode_without_registries_stops_before_Up_and_helper_mode_does_not_need_them()
    {
        // Given no registry at all
        var machine = Machine(up: RefresherWrites("ok"));
        machine["ECR_REGISTRIES"] = string.Empty;
        machine["DIND_AUTH"] = "token";

        // When Up runs in token mode, then it stops before anything runs, naming what to set
        var (code, output) = Up(machine);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("ECR_REGISTRIES is not set and PRIVATE_ECR_IMAGE names no registry", output);
        Assert.Contains("the DinD token refresher gets a token for each; or set DIND_AUTH=helper", output);
        Assert.Equal(string.Empty, Calls);

        // And in helper mode Up runs and validates the whole project, the refresher's service included
        machine["DIND_AUTH"] = "helper";
        var (helper, helperOutput) = Up(machine);
        Assert.True(helper == 0, helperOutput);
        Assert.Contains("--profile ecr-token --profile server config --quiet", Calls);
    }

    [Fact]
    public void A_failed_first_refresh_stops_Up_with_its_cause_and_fix_and_the_next_Up_runs_again()
    {
        // Given token mode and a refresher whose first refresh fails (a wrong secret)
        var machine = Machine(up: RefresherWrites("failed"));
        machine["DIND_AUTH"] = "token";

        // When Up runs
        var (code, output) = Up(machine);

        // Then it fails naming the registry, the cause and the fix
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("the DinD token refresher's first refresh failed (it retries on its own):", output);
        Assert.Contains($"{CredentialsRun.Registry}: level=error msg=Error retrieving credentials error=InvalidSignatureException", output);
        Assert.Contains("fix: wrong secret access key: copy the secret access key again", output);

        // And a second Up is not a no-op: nothing was confirmed
        File.Delete(CallsFile);
        var (_, second) = Up(machine);
        Assert.DoesNotContain("Skipping task Up", second);
    }

    [Fact]
    public void A_refresher_that_exits_is_reported_with_its_last_log_lines()
    {
        var machine = Machine(refresher: "exited 2020-01-01T00:00:00.000000000Z");
        machine["DIND_AUTH"] = "token";

        var (code, output) = Up(machine);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("the DinD token refresher (service ecr-token) is exited after", output);
        Assert.Contains("runner: configuration error", output);
        Assert.Contains("logs ecr-token", output);
    }

    [Fact]
    public void Helper_mode_removes_a_refresher_left_from_token_mode_and_the_tokens_it_wrote()
    {
        // Given a refresher container of the project and its files, left from token mode
        Directory.CreateDirectory(Path.Combine(_build.Root, ".state", "runner", "dind-token", "docker"));
        File.WriteAllText(Path.Combine(_build.Root, ".state", "runner", "dind-token", "docker", "config.json"), "{\"auths\": {}}");
        File.WriteAllText(StatusFile, "{}");

        // When Up runs in helper mode
        var (code, output) = Up(Machine(leftover: TokenContainer));

        // Then the refresher is removed by its labels, and so are its files
        Assert.True(code == 0, output);
        Assert.Contains("ps --all --quiet --no-trunc --filter label=gitlab-runner-ecr.project=gitlab-runner-ecr --filter label=gitlab-runner-ecr.role=ecr-token", Calls);
        Assert.Contains($"rm --force --volumes {TokenContainer}", Calls);
        Assert.Contains($"DIND_AUTH=helper: removed the DinD token refresher {TokenContainer[..12]}", output);
        Assert.False(File.Exists(StatusFile));
        Assert.False(File.Exists(Path.Combine(_build.Root, ".state", "runner", "dind-token", "docker", "config.json")));
        Assert.DoesNotContain("--profile ecr-token", Calls.Split('\n').Single(l => l.Contains(" up ", StringComparison.Ordinal)));
    }
}
