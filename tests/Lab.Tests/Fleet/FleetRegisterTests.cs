using Tomlyn;
using Tomlyn.Model;

namespace Lab.Fleet;

/// <summary>
/// Register with FLEET=aws as a process against the GitLab emulator: the docker-autoscaler entry merged into a lived-in
/// config.toml (other runners, comments and the user's keys kept, a backup made), and a fleet without its group refused
/// before GitLab is asked. No Docker is needed.
/// </summary>
public sealed class FleetRegisterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private GitLabEmulator _gitlab = null!;
    private RegisterRun _run = null!;

    private const string LivedIn = """
        # ops: this file is shared; ask before changing
        concurrent = 6
        listen_address = ":9252"

        [[runners]]
          name = "deploy-shell"
          url = "https://gitlab.example.com"
          token = "glrt-deployshellrunnertoken1"
          executor = "shell"

        [[runners]]
          name = "ecr-runner"
          executor = "docker"
          [runners.docker]
            image = "lab/docker-cli:1"
            shm_size = 268435456 # big builds
          [runners.autoscaler]
            instance_ready_command = "cloud-init status --wait"

        """;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _run = new RegisterRun(_gitlab);
        _run.Environment["FLEET"] = "aws";
        _run.Environment["FLEET_ASG"] = "lab-workers";
        _run.Environment["FLEET_IDLE_COUNT"] = "1";
        _run.Environment["FLEET_HELPER_URL"] = "http://helpers.lab.internal/ecr";

        // The run's root is a folder of its own: the templates the workers' files come from are the repository's.
        var root = Path.GetDirectoryName(_run.State)!;
        foreach (var folder in new[] { "fleet", "dind-token" })
        {
            var source = Path.Combine(TestRepository.Root(), "assets", folder);
            Directory.CreateDirectory(Path.Combine(root, "assets", folder));
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(root, "assets", folder, Path.GetFileName(file)));
            }
        }
    }

    public async Task DisposeAsync()
    {
        _run.Dispose();
        await _gitlab.DisposeAsync();
    }

    [Fact]
    public async Task Register_writes_the_autoscaler_entry_into_a_lived_in_config_toml_and_keeps_everything_else()
    {
        // Given a lived-in config.toml and a runner created in the UI
        Directory.CreateDirectory(_run.ConfigDirectory);
        File.WriteAllText(_run.ConfigFile, LivedIn);
        // and helper mode's files for this machine's jobs, from before the fleet (the credentials file holds keys)
        var jobsCredentials = Path.Combine(_run.State, "runner", "jobs", "credentials");
        var dindConfig = Path.Combine(_run.State, "runner", "dind", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(jobsCredentials)!);
        Directory.CreateDirectory(Path.GetDirectoryName(dindConfig)!);
        File.WriteAllText(jobsCredentials, "[default]\n");
        File.WriteAllText(dindConfig, "{}\n");
        var runner = _gitlab.AddRunner();
        _run.Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs with FLEET=aws
        var result = await _run.RegisterAsync(timeout.Token);

        // Then the entry is the docker-autoscaler's, with the group, the worker's token folder and one policy
        Assert.True(result.Succeeded, Printed(result));
        var text = File.ReadAllText(_run.ConfigFile);
        var entry = Entry(text);
        Assert.Equal("docker-autoscaler", entry["executor"]);
        Assert.Equal(runner.Token, entry["token"]);
        var autoscaler = (TomlTable)entry["autoscaler"];
        Assert.Equal("aws:1.1", autoscaler["plugin"]);
        Assert.Equal("lab-workers", ((TomlTable)autoscaler["plugin_config"])["name"]);
        Assert.Equal("ec2-user", ((TomlTable)autoscaler["connector_config"])["username"]);
        Assert.Equal(1L, Assert.Single(((TomlTableArray)autoscaler["policy"]).Cast<TomlTable>())["idle_count"]);
        Assert.Contains("/etc/gitlab-runner-ecr/dind-token/docker:/etc/gitlab-runner-ecr/docker:ro", ((TomlArray)((TomlTable)entry["docker"])["volumes"]).Cast<string>());

        // And the user's keys, comments and the other runner are kept, with a backup of the file it replaced
        Assert.Equal("cloud-init status --wait", autoscaler["instance_ready_command"]);
        Assert.Equal(268435456L, ((TomlTable)entry["docker"])["shm_size"]);
        Assert.StartsWith("# ops: this file is shared; ask before changing\nconcurrent = 6\nlisten_address = \":9252\"\n\n[[runners]]\n  name = \"deploy-shell\"", text, StringComparison.Ordinal);
        Assert.Contains("# big builds", text, StringComparison.Ordinal);
        Assert.Equal(LivedIn, File.ReadAllText(Assert.Single(Directory.GetFiles(_run.BackupDirectory))));

        // And no manager-side DinD file is made (the workers' user-data makes theirs), the old ones are gone, and the token was printed nowhere
        Assert.False(Directory.Exists(Path.Combine(_run.State, "runner", "dind-token")));
        Assert.False(File.Exists(jobsCredentials));
        Assert.False(File.Exists(dindConfig));
        Assert.Contains("manages the Auto Scaling group lab-workers", Printed(result));

        // And the workers' files are in STATE_DIR/fleet, for token mode, with the helper build's checksum
        var fleet = Path.Combine(_run.State, "fleet");
        Assert.Equal(
            ["cloudformation.yaml", "gitlab-runner-ecr-token.service", "gitlab-runner-ecr-token.timer", "install-helper.sh", "launch-template.json", "manager-policy.json", "user-data.yaml", "worker-policy.json"],
            Directory.GetFiles(fleet).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var sha = Build.Helper.HelperOutput.For(Build.Settings.BuildSettings.Load(new Cake.Core.IO.DirectoryPath(fleet), new Cake.Core.IO.DirectoryPath(fleet), new Dictionary<string, string>(), n => n == "STATE_DIR" ? _run.State : null, null)).ReadManifest()!.Binaries.Single().Sha256;
        Assert.Contains($"arch=amd64; sum={sha} ;;", File.ReadAllText(Path.Combine(fleet, "install-helper.sh")), StringComparison.Ordinal);
        Assert.Contains("lab-workers", File.ReadAllText(Path.Combine(fleet, "cloudformation.yaml")), StringComparison.Ordinal);
        Assert.DoesNotContain(runner.Token, Printed(result));
    }

    [Theory]
    [InlineData("FLEET_ASG", "FLEET=aws and FLEET_ASG is not set: set it to the Auto Scaling group of the workers")]
    [InlineData("FLEET_HELPER_URL", "FLEET=aws and FLEET_HELPER_URL is not set: set it to where the workers download the helper")]
    public async Task A_fleet_without_its_group_or_helper_url_is_refused_before_GitLab_is_asked_and_nothing_is_written(string key, string message)
    {
        // Given FLEET=aws without one of the settings its files need
        _run.Environment[key] = string.Empty;
        _run.Environment["GITLAB_RUNNER_TOKEN"] = _gitlab.AddRunner().Token;
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs, then it stops with what to set, asks GitLab nothing and writes nothing
        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Printed(result));
        Assert.Empty(_gitlab.Calls.Snapshot());
        Assert.False(File.Exists(_run.ConfigFile));
    }

    [Fact]
    public async Task Without_a_helper_build_the_fleet_is_refused_before_GitLab_is_asked_and_nothing_is_written()
    {
        // Given FLEET=aws and no helper build (the user-data needs its checksums)
        File.Delete(Path.Combine(_run.State, "helper", "manifest.json"));
        _run.Environment["GITLAB_RUNNER_TOKEN"] = _gitlab.AddRunner().Token;
        using var timeout = new CancellationTokenSource(Timeout);

        // When Register runs, then it says to build the helper, asks GitLab nothing and writes no config.toml
        var result = await _run.RegisterAsync(timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Register: no helper build in ", Printed(result));
        Assert.Contains("fix: run ./build.sh --target=BuildHelper", Printed(result));
        Assert.Empty(_gitlab.Calls.Snapshot());
        Assert.False(File.Exists(_run.ConfigFile));
        Assert.False(Directory.Exists(Path.Combine(_run.State, "fleet")));
    }

    private static TomlTable Entry(string toml) =>
        ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(toml)!["runners"]).Cast<TomlTable>().Single(r => (string)r["name"] == "ecr-runner");

    private static string Printed(ProcessResult result) => result.Output + result.Error;
}
