using Build.Docker;
using Build.Host;
using Build.Runner;
using Build.Tests.Host;

namespace Build.Tests.Runner;

/// <summary>The label-only list commands, and Clean and Down with Docker down (fake docker).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CleanTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string State => Path.Combine(_build.Root, ".state");

    private void Touch(params string[] relative)
    {
        foreach (var path in relative.Select(r => Path.Combine(State, r)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }

    [Fact]
    public void Docker_lists_filter_by_one_project_label_each_never_by_name()
    {
        var arguments = DockerCli.ListArguments(DockerObjects.Containers, "gitlab-runner-ecr.project=p", "{{.ID}}").Render();
        var labels = new ProjectResources(new DockerCli(null!), "p").Labels;

        Assert.Equal("ps --all --no-trunc --filter label=gitlab-runner-ecr.project=p --format {{.ID}}", arguments);
        Assert.Equal(["gitlab-runner-ecr.project=p", "com.docker.compose.project=p"], labels);
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

    [Fact]
    public void Clean_refuses_a_state_folder_that_is_the_home_folder_and_changes_nothing()
    {
        // Given STATE_DIR set to the user's home, which holds files of theirs, and a docker that records every call
        var home = Directory.CreateDirectory(Path.Combine(_build.Root, "home")).FullName;
        File.WriteAllText(Path.Combine(home, ".bashrc"), "mine");
        Directory.CreateDirectory(Path.Combine(home, "compose"));
        var calls = Path.Combine(_build.Root, "docker-calls");
        var machine = _build.FakeMachine($"echo \"$*\" >> {calls}; exit 1\n", null, null);
        machine["STATE_DIR"] = home;
        machine["HOME"] = home;

        // When Clean runs, and when it is asked what it would do
        var (code, output) = _build.RunWith(machine, "--target=Clean");
        var (dryCode, dry) = _build.RunWith(machine, "--target=Clean", "--dryrun");

        // Then both refuse, naming the task, the folder and the fix; nothing was removed and Docker was never asked
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"Clean: STATE_DIR ({home}) is your home folder", output);
        Assert.Contains("fix: set STATE_DIR to a new or empty folder", output);
        Assert.NotEqual(0, dryCode);
        Assert.Contains("is your home folder", dry);
        Assert.DoesNotContain("would remove", dry);
        Assert.True(File.Exists(Path.Combine(home, ".bashrc")));
        Assert.True(Directory.Exists(Path.Combine(home, "compose")));
        Assert.False(File.Exists(calls));
    }

    [Fact]
    public void A_target_that_writes_state_refuses_a_folder_of_other_files_without_the_marker()
    {
        // Given STATE_DIR naming a folder of the user's files
        var folder = Directory.CreateDirectory(Path.Combine(_build.Root, "documents")).FullName;
        File.WriteAllText(Path.Combine(folder, "letter.txt"), "mine");
        var environment = new Dictionary<string, string> { ["STATE_DIR"] = folder, ["HELPER_SOURCE"] = "path", ["HELPER_PATH"] = "/bin/true", ["HELPER_PLATFORMS"] = "linux/amd64" };

        // When BuildHelper runs
        var (code, output) = _build.RunWith(environment, "--target=BuildHelper");

        // Then it stops before any task runs, naming the task that would have written there
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("(needed by BuildHelper)", output);
        Assert.Contains("did not write (letter.txt)", output);
        Assert.Equal(["letter.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }
}
