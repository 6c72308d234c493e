using Build.RunnerConfig;
using Tomlyn.Model;
using static Build.Tests.RunnerConfig.ConfigTomlTests;

namespace Build.Tests.RunnerConfig;

/// <summary>
/// FLEET=aws: Register writes the docker-autoscaler entry ([runners.autoscaler] with plugin_config, connector_config and
/// one policy, [runners.docker] with the worker's paths) into a lived-in config.toml, keeping everything it does not own.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetEntryTests
{
    private static readonly string Golden = Path.Combine(TestRepository.Root(), "tests", "Build.Tests", "RunnerConfig", "Golden");

    private static Build.Settings.BuildSettings Fleet(Dictionary<string, string>? more = null) =>
        ConfigTomlTests.Settings(new(more ?? []) { ["FLEET"] = "aws", ["FLEET_ASG"] = "ci-workers", ["FLEET_IDLE_COUNT"] = "1", ["DIND_AUTH"] = more?.GetValueOrDefault("DIND_AUTH") ?? "token" });

    private static TomlTable Table(TomlTable table, string path) =>
        path.Split('.').Aggregate(table, (t, name) => (TomlTable)t[name]);

    private static List<string> Volumes(string toml) => [.. ((TomlArray)Table(OurRunner(toml), "docker")["volumes"]).Cast<string>()];

    private const string LivedIn = """
        # ops: the fleet's manager
        concurrent = 10

        [[runners]]
          name = "deploy-shell"
          executor = "shell"

        [[runners]]
          name = "ecr-runner"
          url = "https://gitlab.example.com"
          id = 7
          token = "glrt-existingtoken0123456789"
          executor = "docker"
          [runners.docker]
            image = "docker:29-cli"
            shm_size = 268435456 # big builds
            volumes = ["/srv/ci-cache:/ci-cache", "/cache"]
          [runners.autoscaler]
            delete_instances_on_shutdown = true # keep costs down
            [runners.autoscaler.plugin_config]
              region = "eu-west-1"
          [[runners.autoscaler.policy]]
            periods = ["* 7-19 * * mon-fri"]
            idle_count = 9

        """;

    [Fact]
    public void A_fresh_fleet_entry_matches_the_golden_file()
    {
        // Given FLEET=aws in token mode, when the entry is merged into no file
        var merged = ConfigToml.Merge(null, Entry(Fleet()));

        // Then the text is the golden file's
        var expectedPath = Path.Combine(Golden, "fleet.expected.toml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, merged);
        }

        Assert.Equal(File.ReadAllText(expectedPath), merged);
    }

    [Fact]
    public void Register_writes_the_autoscaler_entry_into_a_lived_in_config_toml_keeping_everything_else()
    {
        // Given a config.toml with comments, another runner, and our entry with keys of the user's own
        // When the fleet entry is merged, twice
        var merged = ConfigToml.Merge(LivedIn, Entry(Fleet()));
        var again = ConfigToml.Merge(merged, Entry(Fleet()));

        // Then the executor is the docker-autoscaler, with the settings' plugin, knobs, group, credentials, connector and policy
        var runner = OurRunner(merged);
        Assert.Equal("docker-autoscaler", runner["executor"]);
        var autoscaler = Table(runner, "autoscaler");
        Assert.Equal(("aws:1.1", 1L, 1L, 10L), ((string)autoscaler["plugin"], (long)autoscaler["capacity_per_instance"], (long)autoscaler["max_use_count"], (long)autoscaler["max_instances"]));
        var plugin = Table(runner, "autoscaler.plugin_config");
        Assert.Equal(("ci-workers", "ecr", "/root/.aws/credentials"), ((string)plugin["name"], (string)plugin["profile"], (string)plugin["credentials_file"]));
        var connector = Table(runner, "autoscaler.connector_config");
        Assert.Equal(("ec2-user", false), ((string)connector["username"], (bool)connector["use_external_addr"]));
        var policy = Assert.Single(((TomlTableArray)autoscaler["policy"]).Cast<TomlTable>());
        Assert.Equal((1L, "20m0s"), ((long)policy["idle_count"], (string)policy["idle_time"]));

        // And the user's keys, comments and the other runner are kept; the policy array is Register's whole
        Assert.Equal(true, autoscaler["delete_instances_on_shutdown"]);
        Assert.Equal("eu-west-1", plugin["region"]);
        Assert.Equal(268435456L, Table(runner, "docker")["shm_size"]);
        Assert.Contains("/srv/ci-cache:/ci-cache", Volumes(merged));
        Assert.Equal(7L, runner["id"]);
        Assert.StartsWith("# ops: the fleet's manager\nconcurrent = 10\n\n[[runners]]\n  name = \"deploy-shell\"\n  executor = \"shell\"\n", merged, StringComparison.Ordinal);
        Assert.Contains("# keep costs down", merged, StringComparison.Ordinal);
        Assert.DoesNotContain("periods", merged, StringComparison.Ordinal);
        Assert.Equal(merged, again);
    }

    [Fact]
    public void A_token_mode_fleet_entry_mounts_the_workers_token_folder_and_no_path_of_the_manager()
    {
        // Given FLEET=aws in token mode, when the entry is merged
        var merged = ConfigToml.Merge(null, Entry(Fleet()));

        // Then jobs mount the worker's token folder (their daemon is the worker's), never STATE_DIR, and get no AWS variable
        Assert.Equal(["/etc/gitlab-runner-ecr/dind-token/docker:/etc/gitlab-runner-ecr/docker:ro", "/certs/client", "/cache"], Volumes(merged));
        Assert.DoesNotContain("/srv/runner-ecr/.state", merged, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS_", merged, StringComparison.Ordinal);
        Assert.Contains("DOCKER_CONFIG=/etc/gitlab-runner-ecr/docker", (TomlArray)OurRunner(merged)["environment"]);
    }

    [Fact]
    public void A_helper_mode_fleet_entry_mounts_the_workers_helper_and_config_and_no_credentials()
    {
        // Given FLEET=aws in helper mode with a registry CA, when the entry is merged
        var merged = ConfigToml.Merge(null, Entry(Fleet(new() { ["DIND_AUTH"] = "helper", ["REGISTRY_CA_BUNDLE"] = "/srv/ca.pem" })));

        // Then jobs mount the worker's config.json, helper and CA; the worker's instance role is their credentials
        var volumes = Volumes(merged);
        Assert.Contains("/etc/gitlab-runner-ecr/dind/config.json:/root/.docker/config.json:ro", volumes);
        Assert.Contains("/usr/local/bin/docker-credential-ecr-login:/usr/local/bin/docker-credential-ecr-login:ro", volumes);
        Assert.Contains("/etc/gitlab-runner-ecr/registry-ca.pem:/etc/docker/certs.d/111111111111.dkr.ecr.eu-west-1.amazonaws.com/ca.crt:ro", volumes);
        Assert.DoesNotContain(volumes, v => v.Contains("/root/.aws", StringComparison.Ordinal) || v.StartsWith("/srv", StringComparison.Ordinal));
        Assert.DoesNotContain((TomlArray)OurRunner(merged)["environment"], v => ((string)v!).StartsWith("AWS_", StringComparison.Ordinal));
    }

    [Fact]
    public void With_a_plugin_archive_the_entry_names_the_binary_and_without_a_file_no_credentials_file()
    {
        // Given an air-gapped plugin and credentials from the environment
        var merged = ConfigToml.Merge(null, Entry(Fleet(new() { ["FLEET_PLUGIN_ARCHIVE"] = "/srv/fleeting-plugin-aws.tar.gz", ["CREDENTIALS_SOURCE"] = "instance-role" })));

        // Then the plugin is the binary Up puts on the runner's PATH, and the plugin uses the runner's own credentials
        var runner = OurRunner(merged);
        Assert.Equal("fleeting-plugin-aws", Table(runner, "autoscaler")["plugin"]);
        Assert.Equal(["name"], Table(runner, "autoscaler.plugin_config").Keys);
    }

    [Fact]
    public void Going_back_to_no_fleet_restores_the_docker_entry_and_drops_the_autoscaler_sections()
    {
        // Given a file Register wrote without a fleet, then with one
        var docker = ConfigToml.Merge(null, Entry(ConfigTomlTests.Settings(new() { ["DIND_AUTH"] = "token" })));
        var fleet = ConfigToml.Merge(docker, Entry(Fleet()));

        // When FLEET=none again, then the file is what the Docker executor wrote
        Assert.Equal(docker, ConfigToml.Merge(fleet, Entry(ConfigTomlTests.Settings(new() { ["DIND_AUTH"] = "token" }))));
    }

    [Theory]
    [InlineData(20 * 60, "20m0s")]
    [InlineData(45, "45s")]
    [InlineData(90 * 60 + 5, "1h30m5s")]
    public void Idle_time_is_written_as_Go_prints_a_duration(int seconds, string text)
    {
        Assert.Equal(text, AutoscalerExecutor.GoDuration(TimeSpan.FromSeconds(seconds)));
    }
}
