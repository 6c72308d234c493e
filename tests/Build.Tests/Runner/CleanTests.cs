using Build.Docker;
using Build.Host;
using Build.Runner;
using Build.Settings;
using Build.Tests.Host;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.Runner;

/// <summary>What Clean would delete of a state folder, the label-only list commands, and Clean and Down with Docker down (fake docker).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CleanTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string State => Path.Combine(_build.Root, ".state");

    private BuildSettings Settings(Dictionary<string, string> values) =>
        BuildSettings.Load(new DirectoryPath(_build.Root), new DirectoryPath(_build.Root), new Dictionary<string, string>(), name => values.GetValueOrDefault(name), null);

    private void Touch(params string[] relative)
    {
        foreach (var path in relative.Select(r => Path.Combine(State, r)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }

    [Fact]
    public void The_whole_state_folder_goes_when_nothing_in_it_is_kept()
    {
        Touch("helper/manifest.json", "runner/config/config.toml");

        var removals = new StateFolder(Settings(new() { ["RUNNER_CREDENTIALS_FILE"] = "/elsewhere/credentials" }), _build.Root).Removals();

        Assert.Equal([State], removals);
    }

    [Fact]
    public void Server_data_backups_and_a_credentials_file_inside_the_state_folder_are_kept_unless_asked()
    {
        Touch("helper/manifest.json", "runner/config/config.toml", "runner/backups/config.toml.1", "server/data/x", "aws/credentials");
        var values = new Dictionary<string, string> { ["RUNNER_CREDENTIALS_FILE"] = Path.Combine(State, "aws", "credentials") };

        var kept = new StateFolder(Settings(values), _build.Root).Removals();
        values["CLEAN_SERVER_DATA"] = "true";
        values["CLEAN_BACKUPS"] = "true";
        var asked = new StateFolder(Settings(values), _build.Root).Removals();

        Assert.Equal([Path.Combine(State, "helper"), Path.Combine(State, "runner", "config")], kept);
        Assert.Equal([Path.Combine(State, "helper"), Path.Combine(State, "runner"), Path.Combine(State, "server")], asked);
    }

    [Fact]
    public void A_state_folder_that_holds_the_repository_is_refused()
    {
        var folder = new StateFolder(Settings(new() { ["STATE_DIR"] = Path.GetDirectoryName(_build.Root)! }), _build.Root);

        Assert.NotNull(folder.Refusal());
        Assert.Empty(folder.Removals());
    }

    [Fact]
    public void Docker_lists_filter_by_one_project_label_each_never_by_name()
    {
        var arguments = ProjectResources.ListArguments(["ps", "--all", "--no-trunc", "--format", "{{.ID}}"], "label=gitlab-runner-ecr.project=p").Render();
        var filters = new ProjectResources(new DockerCli(null!), "p").Filters;

        Assert.Equal("ps --all --no-trunc --filter label=gitlab-runner-ecr.project=p --format {{.ID}}", arguments);
        Assert.Equal(["label=gitlab-runner-ecr.project=p", "label=com.docker.compose.project=p"], filters);
    }

    [Fact]
    public void Clean_with_Docker_down_keeps_the_state_folder_and_says_how_to_go_on()
    {
        Touch("runner/config/.runner_system_id");
        var machine = _build.FakeMachine("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1\n", null, null);

        var (code, output) = _build.RunWith(machine, "--target=Clean");
        var (statusCode, status) = _build.RunWith(machine, "--target=Status");
        var (downCode, down) = _build.RunWith(machine, "--target=Down");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("Docker is not reachable (not reachable: Cannot connect to the Docker daemon", output);
        Assert.Contains("kept the state folder", output);
        Assert.Contains("fix: start Docker", output);
        Assert.True(File.Exists(Path.Combine(State, "runner", "config", ".runner_system_id")));
        Assert.Equal(0, statusCode);
        Assert.Contains("containers   unknown: Docker is not reachable", status);
        Assert.Equal(ExitCodes.Failed, downCode);
        Assert.Contains("Down: Docker is not reachable", down);
    }
}
