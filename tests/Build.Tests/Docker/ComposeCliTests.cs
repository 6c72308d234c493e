using Build.Docker;
using Cake.Core.IO;

namespace Build.Tests.Docker;

/// <summary>Compose argument rendering for v2 (plugin) and v1, without starting a process (only v1 is installed here).</summary>
public sealed class ComposeCliTests
{
    private static readonly ComposeVersion V2 = new(2, "2.32.4", "docker");
    private static readonly ComposeVersion V1 = new(1, "1.29.2", "docker-compose");

    private static readonly ComposeProject Project = new(
        "gitlab-runner-ecr",
        [new FilePath("/repo/assets/compose.yaml"), new FilePath("/repo/.state/compose.override.yaml")],
        ["server"]);

    [Fact]
    public void V2_runs_as_a_docker_subcommand_with_project_files_and_profiles_before_the_command()
    {
        var arguments = ComposeCli.Render(V2, Project, "config", "-q").Render();

        Assert.Equal("compose --project-name gitlab-runner-ecr --file /repo/assets/compose.yaml --file /repo/.state/compose.override.yaml --profile server config -q", arguments);
    }

    [Fact]
    public void V1_takes_the_same_options_without_the_subcommand()
    {
        var arguments = ComposeCli.Render(V1, Project, "config", "-q").Render();

        Assert.Equal("--project-name gitlab-runner-ecr --file /repo/assets/compose.yaml --file /repo/.state/compose.override.yaml --profile server config -q", arguments);
    }

    [Fact]
    public void Up_waits_for_the_services_on_v2_only()
    {
        Assert.EndsWith("up --detach --wait", ComposeCli.Up(V2, Project).Render());
        Assert.EndsWith("--profile server up --detach", ComposeCli.Up(V1, Project).Render());
    }

    [Fact]
    public void The_token_refresher_profile_starts_beside_the_server_and_its_service_is_asked_for_by_name_on_both()
    {
        var project = Project with { Profiles = ["ecr-token", "server"] };

        Assert.EndsWith("--profile ecr-token --profile server up --detach --wait", ComposeCli.Up(V2, project).Render());
        Assert.EndsWith("--profile ecr-token --profile server up --detach", ComposeCli.Up(V1, project).Render());
        Assert.EndsWith("--profile ecr-token --profile server ps --quiet ecr-token", ComposeCli.Render(V2, project, "ps", "--quiet", "ecr-token").Render());
        Assert.StartsWith("compose --project-name gitlab-runner-ecr ", ComposeCli.Render(V2, project, "ps", "--quiet", "ecr-token").Render());
    }

    [Fact]
    public void A_path_with_spaces_is_quoted()
    {
        var project = new ComposeProject("p", [new FilePath("/home/me/my repo/compose.yaml")], []);

        Assert.Equal("--project-name p --file \"/home/me/my repo/compose.yaml\" ps", ComposeCli.Render(V1, project, "ps").Render());
    }

    [Fact]
    public void The_docker_version_query_asks_for_engine_api_range_and_architecture()
    {
        Assert.Equal("version --format \"{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Arch}}\"", DockerCli.ServerVersionArguments().Render());
    }

    [Theory]
    [InlineData("amd64", "linux/amd64")]
    [InlineData("x86_64", "linux/amd64")]
    [InlineData("arm64", "linux/arm64")]
    [InlineData("aarch64", "linux/arm64")]
    public void The_daemon_architecture_names_the_helper_platform(string architecture, string platform) =>
        Assert.Equal(platform, new DockerEngine("29.7.1", "1.52", "1.44", architecture).Platform);

    [Theory]
    [InlineData("1.44", "1.41", true)]
    [InlineData("1.12", "1.41", false)]
    [InlineData("1.44", "1.44", false)]
    public void An_engine_refuses_clients_below_its_minimum_api(string minimum, string client, bool refused) =>
        Assert.Equal(refused, new DockerEngine("29.7.1", "1.52", minimum, "amd64").Refuses(client));
}
