using Build.RunnerConfig;
using Tomlyn;
using Tomlyn.Model;

namespace Build.Tests.RunnerConfig;

/// <summary>The merge core knows no executor: an entry's executor brings the sections it owns, and one executor replaces another of ours.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecutorMergeTests
{
    private const string Autoscaler = "docker-autoscaler";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Known = new Dictionary<string, IReadOnlyList<string>>
    {
        [DockerExecutor.Name] = [DockerExecutor.Section],
        [Autoscaler] = ["docker", "autoscaler", "autoscaler.plugin_config", "autoscaler.policy"],
    };

    private static KeyValuePair<string, OwnedValue> Key(string name, OwnedValue value) => new(name, value);

    /// <summary>An executor of more sections than Docker's: a nested table and an array of tables.</summary>
    private static RunnerEntry Fleet(RunnerEntry docker) => docker with
    {
        Executor = new RunnerExecutor(
            Autoscaler,
            [
                docker.Executor.Sections.Single(),
                new RunnerSection("autoscaler", [Key("plugin", new OwnedValue.Text("aws:latest")), Key("capacity_per_instance", new OwnedValue.Number(1)), Key("max_instances", new OwnedValue.Number(5))]),
                new RunnerSection("autoscaler.plugin_config", [Key("name", new OwnedValue.Text("ci-workers"))]),
            ],
            [new RunnerSectionArray("autoscaler.policy", [[Key("idle_count", new OwnedValue.Number(1)), Key("idle_time", new OwnedValue.Text("20m0s"))], [Key("periods", new OwnedValue.List(["* 7-19 * * mon-fri"])), Key("idle_count", new OwnedValue.Number(3))]])]),
    };

    private static TomlTable Runner(string toml) =>
        ((TomlTableArray)TomlSerializer.Deserialize<TomlTable>(toml)!["runners"]).Cast<TomlTable>().Single(r => (string)r["name"] == "ecr-runner");

    [Fact]
    public void Another_executor_of_ours_replaces_the_docker_one_with_its_sections_and_back_again()
    {
        // Given config.toml with a user's comment, another runner, and our Docker entry
        var docker = ConfigTomlTests.Entry();
        var start = ConfigToml.Merge("# mine\nconcurrent = 4\n\n[[runners]]\n  name = \"other\"\n  executor = \"shell\"\n", docker, known: Known);

        // When the entry is merged with an executor of more sections, twice
        var fleet = ConfigToml.Merge(start, Fleet(docker), known: Known);
        var again = ConfigToml.Merge(fleet, Fleet(docker), known: Known);

        // Then the executor and its sections are written (nested table, two array items), the rest is kept, and a rerun changes nothing
        var runner = Runner(fleet);
        Assert.Equal(Autoscaler, runner["executor"]);
        var autoscaler = (TomlTable)runner["autoscaler"];
        Assert.Equal("aws:latest", autoscaler["plugin"]);
        Assert.Equal(5L, autoscaler["max_instances"]);
        Assert.Equal("ci-workers", ((TomlTable)autoscaler["plugin_config"])["name"]);
        var policies = ((TomlTableArray)autoscaler["policy"]).Cast<TomlTable>().ToList();
        Assert.Equal([1L, 3L], policies.Select(p => p["idle_count"]));
        Assert.Equal(docker.Executor.Sections.Single().Keys.Count, ((TomlTable)runner["docker"]).Count);
        Assert.StartsWith("# mine\nconcurrent = 4\n\n[[runners]]\n  name = \"other\"\n  executor = \"shell\"\n", fleet, StringComparison.Ordinal);
        Assert.Equal(fleet, again);

        // When the Docker executor comes back, then the other one's sections go and the file is as Docker wrote it
        Assert.Equal(start, ConfigToml.Merge(fleet, docker, known: Known));
    }

    [Fact]
    public void An_entry_of_ours_whose_executor_we_do_not_write_is_refused_by_name()
    {
        // Given our entry name with the kubernetes executor (not one Register writes)
        var text = "[[runners]]\n  name = \"ecr-runner\"\n  executor = \"kubernetes\"\n";

        // When Register merges, then it refuses and names both executors
        var error = Assert.Throws<ConfigTomlException>(() => ConfigToml.Merge(text, ConfigTomlTests.Entry(), known: Known));
        Assert.Contains("uses executor \"kubernetes\", and Register writes a docker-executor runner", error.Message, StringComparison.Ordinal);
    }
}
