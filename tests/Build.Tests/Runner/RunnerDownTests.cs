using Build.Runner;
using Build.Tests.Docker;

namespace Build.Tests.Runner;

/// <summary>Down against a fake docker: which of the project's containers it stops, and how.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunnerDownTests : IDisposable
{
    private readonly FakeDocker _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public void Down_stops_the_running_and_restarting_containers_of_the_project_by_id_and_leaves_the_stopped_ones()
    {
        // Given a project with a running, a restarting and an exited container (listed under its own label)
        var docker = _fake.Cli(
            """
            case "$*" in
              "version --format "*) echo "29.1.3 1.52 1.44 amd64" ;;
              *"label=gitlab-runner-ecr.project=p "*) printf 'id-run\tp-runner-1\trunning\tUp 2 hours\nid-restart\tp-gitlab-1\trestarting\tRestarting (1)\nid-exit\tp-old-1\texited\tExited (0)\n' ;;
              "ps "*) ;;
              "stop "*) ;;
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac
            """);
        var lines = new List<string>();

        // When Down runs
        new RunnerDown("p", "/srv/state", docker, lines.Add).Run();

        // Then the running and restarting ones are stopped in one call, with ten seconds' grace, and every file is kept
        Assert.Equal("stop --time 10 id-restart id-run", _fake.Calls.Single(c => c.StartsWith("stop ", StringComparison.Ordinal)));
        Assert.Contains("Stopped 2 container(s) of project \"p\"; every file in /srv/state is kept (./build.sh --target=Up starts them again).", lines);
        Assert.DoesNotContain(lines, l => l.Contains("p-old-1", StringComparison.Ordinal));
    }

    [Fact]
    public void Down_with_nothing_running_stops_nothing()
    {
        var docker = _fake.Cli(
            """
            case "$*" in
              "version --format "*) echo "29.1.3 1.52 1.44 amd64" ;;
              "ps "*) ;;
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac
            """);
        var lines = new List<string>();

        new RunnerDown("p", "/srv/state", docker, lines.Add).Run();

        Assert.DoesNotContain(_fake.Calls, c => c.StartsWith("stop ", StringComparison.Ordinal));
        Assert.Equal(["Nothing to stop: no running container of project \"p\". Files kept in /srv/state."], lines);
    }
}
