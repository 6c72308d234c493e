using Build.Docker;
using Build.Secrets;

namespace Build.Tests.Docker;

/// <summary>The argument list of every docker operation the build runs, rendered without starting a process.</summary>
public sealed class DockerCliTests
{
    [Fact]
    public void Container_state_queries_ask_inspect_for_the_status_the_health_and_the_health_log()
    {
        Assert.Equal("inspect --format {{.State.Status}} c1", DockerCli.StatusArguments("c1").Render());
        Assert.Equal("inspect --format \"{{json .Config.Env}}\" c1", DockerCli.EnvironmentArguments("c1").Render());
        Assert.Equal("inspect --format \"{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}\" c1", DockerCli.HealthArguments("c1").Render());
        Assert.Equal("inspect --format \"{{json .State.Health}}\" c1", DockerCli.HealthLogArguments("c1").Render());
    }

    [Fact]
    public void Whether_a_container_runs_is_asked_by_its_full_id_and_the_running_status()
    {
        Assert.Equal("ps --quiet --no-trunc --filter id=0123abcd --filter status=running", DockerCli.RunningArguments(["0123abcd"]).Render());
        Assert.Equal("ps --quiet --no-trunc --filter id=0123abcd --filter id=4567ef01 --filter status=running", DockerCli.RunningArguments(["0123abcd", "4567ef01"]).Render());
    }

    [Fact]
    public void A_containers_start_and_its_whole_inspection_are_asked_of_inspect()
    {
        Assert.Equal("inspect --format \"{{.State.Status}} {{.State.StartedAt}}\" c1", DockerCli.StartedArguments("c1").Render());
        Assert.Equal("inspect --type container c1", DockerCli.InspectArguments("c1").Render());
    }

    [Fact]
    public void Containers_by_labels_filter_on_every_label_and_include_stopped_ones_only_when_asked()
    {
        string[] labels = ["com.docker.compose.project=p", "com.docker.compose.service=gitlab"];

        Assert.Equal("ps --all --quiet --no-trunc --filter label=com.docker.compose.project=p --filter label=com.docker.compose.service=gitlab", DockerCli.ContainerIdsArguments(labels, all: true).Render());
        Assert.Equal("ps --quiet --no-trunc --filter label=com.docker.compose.project=p --filter label=com.docker.compose.service=gitlab", DockerCli.ContainerIdsArguments(labels, all: false).Render());
    }

    [Fact]
    public void Logs_ask_for_the_last_lines_only()
    {
        Assert.Equal("logs --tail 20 c1", DockerCli.LogsArguments("c1", 20).Render());
    }

    [Theory]
    [InlineData(DockerObjects.Containers, "ps --all --no-trunc --filter label=gitlab-runner-ecr.project=p --format {{.ID}}")]
    [InlineData(DockerObjects.Networks, "network ls --no-trunc --filter label=gitlab-runner-ecr.project=p --format {{.ID}}")]
    [InlineData(DockerObjects.Volumes, "volume ls --filter label=gitlab-runner-ecr.project=p --format {{.ID}}")]
    [InlineData(DockerObjects.Images, "image ls --no-trunc --filter label=gitlab-runner-ecr.project=p --format {{.ID}}")]
    public void Lists_filter_by_one_label_and_print_the_format_asked(DockerObjects kind, string expected)
    {
        Assert.Equal(expected, DockerCli.ListArguments(kind, "gitlab-runner-ecr.project=p", "{{.ID}}").Render());
    }

    [Fact]
    public void A_container_is_created_from_its_spec_with_pull_never_and_every_part_in_one_order()
    {
        var spec = new ContainerSpec("p-smoke-job", "registry.test/job:1")
        {
            Labels = ["gitlab-runner-ecr.project=p", "gitlab-runner-ecr.role=smoketest"],
            Network = "p-net",
            NetworkAliases = ["docker"],
            Volumes = ["/certs/client", "/srv/helper:/usr/local/bin/docker-credential-ecr-login:ro"],
            Environment = ["A=1", "B=two words"],
            ExtraHosts = ["registry.test:10.0.0.2"],
            Privileged = true,
            Entrypoint = "sh",
            Command = ["-c", "echo hi"],
        };

        Assert.Equal(
            "create --pull never --name p-smoke-job --label gitlab-runner-ecr.project=p --label gitlab-runner-ecr.role=smoketest --network p-net --network-alias docker"
            + " --volume /certs/client --volume /srv/helper:/usr/local/bin/docker-credential-ecr-login:ro --env A=1 --env \"B=two words\" --add-host registry.test:10.0.0.2"
            + " --privileged --entrypoint sh registry.test/job:1 -c \"echo hi\"",
            DockerCli.CreateArguments(spec).Render());
    }

    [Fact]
    public void A_minimal_spec_is_the_name_and_the_image_with_pull_never()
    {
        Assert.Equal("create --pull never --name n img", DockerCli.CreateArguments(new ContainerSpec("n", "img")).Render());
    }

    [Fact]
    public void Capabilities_stand_in_for_privileged_where_the_host_refuses_it()
    {
        var spec = new ContainerSpec("n", "img") { CapAdd = ["ALL"], CapDrop = ["SYS_RESOURCE"], SecurityOptions = ["seccomp=unconfined"] };

        Assert.Equal("create --pull never --name n --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined img", DockerCli.CreateArguments(spec).Render());
    }

    [Fact]
    public void Start_runs_detached_or_attached()
    {
        Assert.Equal("start c1", DockerCli.StartArguments("c1", attach: false).Render());
        Assert.Equal("start --attach c1", DockerCli.StartArguments("c1", attach: true).Render());
    }

    [Fact]
    public void Exec_puts_plain_variables_on_the_command_line_and_only_the_names_of_secret_ones()
    {
        // Given an exec with a plain variable, a secret variable, a secret on standard input and secret output
        var token = new Secret("glpat-" + new string('s', 20));
        var input = new Secret("registry.test\n");
        var exec = new ExecSpec("runner-1", ["helper", "get"])
        {
            Environment = ["AWS_ECR_CACHE_DIR=/tmp/c"],
            SecretEnvironment = new Dictionary<string, Secret> { ["ROOT_TOKEN"] = token },
            StandardInput = input,
            SecretOutput = true,
            Timeout = TimeSpan.FromSeconds(60),
        };

        // When it is rendered
        var arguments = DockerCli.ExecArguments(exec).Render();
        var options = DockerCli.ExecOptions(exec);

        // Then the command line names the secret variable only, and the values go by environment and standard input
        Assert.Equal("exec --interactive --env AWS_ECR_CACHE_DIR=/tmp/c --env ROOT_TOKEN runner-1 helper get", arguments);
        Assert.DoesNotContain(token.Reveal(), arguments);
        Assert.Equal(token, options.SecretEnvironment["ROOT_TOKEN"]);
        Assert.Equal(input, options.StandardInput);
        Assert.True(options.SecretOutput);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Timeout);
    }

    [Fact]
    public void Exec_without_standard_input_is_not_interactive()
    {
        Assert.Equal("exec runner-1 rm -rf /tmp/c", DockerCli.ExecArguments(new ExecSpec("runner-1", ["rm", "-rf", "/tmp/c"])).Render());
        Assert.Null(DockerCli.ExecOptions(new ExecSpec("runner-1", ["true"])).StandardInput);
    }

    [Fact]
    public void Copy_stop_and_remove_name_their_containers()
    {
        Assert.Equal("cp /repo/assets/helper/build-helper.sh b1:/build-helper.sh", DockerCli.CopyArguments("/repo/assets/helper/build-helper.sh", "b1:/build-helper.sh").Render());
        Assert.Equal("stop --time 10 c1 c2", DockerCli.StopArguments(["c1", "c2"], TimeSpan.FromSeconds(10)).Render());
        Assert.Equal("rm --force --volumes c1 c2", DockerCli.RemoveArguments(["c1", "c2"]).Render());
    }

    [Fact]
    public void Networks_are_checked_created_labelled_connected_listed_and_removed()
    {
        Assert.Equal("network inspect --format {{.Name}} ci", DockerCli.NetworkExistsArguments("ci").Render());
        Assert.Equal("network create --internal --label a=1 --label b=2 p-net", DockerCli.CreateNetworkArguments("p-net", ["a=1", "b=2"], isInternal: true).Render());
        Assert.Equal("network create p-net", DockerCli.CreateNetworkArguments("p-net", [], isInternal: false).Render());
        Assert.Equal("network connect bridge c1", DockerCli.ConnectArguments("bridge", "c1").Render());
        Assert.Equal("network ls --quiet --filter label=run=1", DockerCli.NetworkIdsArguments("run=1").Render());
        Assert.Equal("network rm p-net", DockerCli.RemoveNetworkArguments("p-net").Render());
    }

    [Fact]
    public void Volumes_are_checked_created_labelled_listed_and_removed()
    {
        Assert.Equal("volume inspect cache", DockerCli.VolumeExistsArguments("cache").Render());
        Assert.Equal("volume create --label a=1 cache", DockerCli.CreateVolumeArguments("cache", ["a=1"]).Render());
        Assert.Equal("volume ls --quiet --filter label=run=1", DockerCli.VolumeNamesArguments("run=1").Render());
        Assert.Equal("volume rm --force cache", DockerCli.RemoveVolumeArguments("cache", force: true).Render());
        Assert.Equal("volume rm cache", DockerCli.RemoveVolumeArguments("cache", force: false).Render());
    }

    [Fact]
    public void Images_are_inspected_pulled_and_removed_by_reference()
    {
        Assert.Equal("image inspect --format {{.Id}} registry.test/app:1", DockerCli.ImageInspectArguments("registry.test/app:1").Render());
        Assert.Equal("pull registry.test/app:1", DockerCli.PullArguments("registry.test/app:1").Render());
        Assert.Equal("image rm --force sha256:0123", DockerCli.RemoveImageArguments("sha256:0123").Render());
    }
}
