using Build.Docker;
using Build.Processes;
using Build.Secrets;

namespace Build.Tests.Docker;

/// <summary>What the docker operations make of docker's answers, against a fake docker program that logs its calls.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerCliRunTests : IDisposable
{
    private readonly FakeDocker _fake = new();

    public void Dispose() => _fake.Dispose();

    private string[] Calls => _fake.Calls;

    private DockerCli Docker(string body) => _fake.Cli(body);

    [Fact]
    public void A_container_runs_only_when_docker_lists_exactly_its_id()
    {
        Assert.True(Docker("echo 0123abcd").IsRunning("0123abcd"));
        Assert.False(Docker("echo other").IsRunning("0123abcd"));
        Assert.False(Docker("echo 0123abcd; exit 1").IsRunning("0123abcd"));
    }

    [Fact]
    public void Two_containers_run_only_when_docker_lists_both_as_running()
    {
        Assert.True(Docker("echo aaaa; echo bbbb").AreRunning(["aaaa", "bbbb"]));
        Assert.False(Docker("echo aaaa").AreRunning(["aaaa", "bbbb"]));
        Assert.Contains("ps --quiet --no-trunc --filter id=aaaa --filter id=bbbb --filter status=running", Calls);
    }

    [Fact]
    public void A_containers_start_time_is_read_as_UTC_and_an_unknown_container_is_missing()
    {
        var started = Docker("echo 'running 2026-11-28T21:04:05.123456789Z'").ContainerStarted("c1");
        var missing = Docker("echo 'Error: No such object: c1' >&2; exit 1").ContainerStarted("c1");

        Assert.Equal(("running", new DateTimeOffset(2026, 11, 28, 21, 4, 5, TimeSpan.Zero).AddTicks(1234568)), started);
        Assert.Equal(("missing", (DateTimeOffset?)null), missing);
    }

    [Fact]
    public void Health_is_status_and_health_or_missing_when_docker_does_not_know_the_container()
    {
        Assert.Equal(("running", "starting"), Docker("echo running starting").ContainerHealth("c1"));
        Assert.Equal(("missing", "none"), Docker("echo 'Error: No such object: c1' >&2; exit 1").ContainerHealth("c1"));
    }

    [Fact]
    public void A_container_s_environment_is_its_variables_or_none_when_docker_does_not_know_it()
    {
        Assert.Equal(["PATH=/usr/bin", "A=b=c"], Docker("echo '[\"PATH=/usr/bin\",\"A=b=c\"]'").ContainerEnvironment("c1"));
        Assert.Empty(Docker("echo 'Error: No such object: c1' >&2; exit 1").ContainerEnvironment("c1"));
        Assert.Empty(Docker("echo 'not json'").ContainerEnvironment("c1"));
    }

    [Fact]
    public void A_failed_list_names_the_list_command_and_docker_s_error()
    {
        var docker = Docker("echo 'Cannot connect to the Docker daemon' >&2; exit 1");

        var error = Assert.Throws<CommandException>(() => docker.List(DockerObjects.Networks, "a=1", "{{.ID}}"));

        Assert.Equal("docker network ls failed: Cannot connect to the Docker daemon", error.Message);
    }

    [Fact]
    public void Ids_by_label_are_the_lines_docker_prints_and_none_when_it_fails()
    {
        Assert.Equal(["c1", "c2"], Docker("printf 'c1\\n\\nc2\\n'").ContainerIds(["a=1"]));
        Assert.Empty(Docker("echo c1; exit 1").ContainerIds(["a=1"]));
    }

    [Fact]
    public void EnsureImage_pulls_a_missing_image_only_when_pulling_is_allowed()
    {
        // Given a daemon without the image, whose pull fails
        var docker = Docker("case \"$1\" in image) exit 1 ;; pull) echo 'pull access denied for app' >&2; exit 1 ;; esac");
        var log = new List<string>();

        // When it is ensured with IMAGE_PULL=never, then with missing
        var never = docker.EnsureImage("app:1", pullMissing: false, log.Add);
        var missing = docker.EnsureImage("app:1", pullMissing: true, log.Add);

        // Then the first never pulls, the second tries and says why it failed
        Assert.Equal("it is not on this machine, and IMAGE_PULL=never", never);
        Assert.Equal("it is not on this machine and could not be pulled: pull access denied for app", missing);
        Assert.Equal(["image inspect --format {{.Id}} app:1", "image inspect --format {{.Id}} app:1", "pull app:1"], Calls);
        Assert.Equal(["pulling app:1 ..."], log);
    }

    [Fact]
    public void A_known_secret_in_a_container_spec_is_refused_before_docker_starts()
    {
        // Given a known secret, and a spec that would put it on the command line
        var token = new Secret("glpat-" + new string('k', 20));
        _fake.Redactor.Add(token, "GITLAB_TOKEN");
        var docker = Docker("exit 0");

        // When the container is created
        var error = Assert.Throws<SecretInArgumentsException>(() => docker.Create(new ContainerSpec("n", "img") { Environment = ["TOKEN=" + token.Reveal()] }));

        // Then docker never ran, and the refusal names the setting, not the value
        Assert.Empty(Calls);
        Assert.Contains("GITLAB_TOKEN", error.Message);
        Assert.DoesNotContain(token.Reveal(), error.Message);
    }

    [Fact]
    public void A_secret_variable_of_an_exec_reaches_docker_through_its_environment()
    {
        // Given a docker that prints the variable exec would pass on
        var token = new Secret("glpat-" + new string('e', 20));
        _fake.Redactor.Add(token, "the local GitLab's root token");
        var docker = Docker("printf '%s' \"$ROOT_TOKEN\" > '" + Path.Combine(_fake.Folder, "seen") + "'");

        // When an exec names it
        var result = docker.Exec(new ExecSpec("c1", ["true"]) { SecretEnvironment = new Dictionary<string, Secret> { ["ROOT_TOKEN"] = token } });

        // Then docker had the value in its environment, and only the name on its command line
        Assert.True(result.Succeeded);
        Assert.Equal(token.Reveal(), File.ReadAllText(Path.Combine(_fake.Folder, "seen")));
        Assert.Equal(["exec --env ROOT_TOKEN c1 true"], Calls);
        Assert.Equal("docker exec --env ROOT_TOKEN c1 true", result.Command.Replace(Path.Combine(_fake.Folder, "docker"), "docker", StringComparison.Ordinal));
    }
}
