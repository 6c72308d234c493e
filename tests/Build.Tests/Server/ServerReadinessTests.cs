using Build.Server;
using Build.Settings;
using Build.Tests.Docker;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.Server;

/// <summary>The local GitLab's readiness against a fake docker: a container that stopped fails at once, with what it left.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ServerReadinessTests : IDisposable
{
    private readonly FakeDocker _fake = new();

    public void Dispose() => _fake.Dispose();

    private static ServerSettings Server() =>
        BuildSettings.Load(new DirectoryPath("/repo"), new DirectoryPath("/repo"), new Dictionary<string, string>(), name => name == "SERVER" ? "true" : null, null).Server;

    [Fact]
    public void An_exited_GitLab_container_fails_the_wait_at_once_with_its_last_health_checks_and_log_lines()
    {
        // Given the project's gitlab container, exited, with a health log and log lines
        var docker = _fake.Cli(
            """
            case "$*" in
              "ps --all --quiet --no-trunc --filter label=com.docker.compose.project=p --filter label=com.docker.compose.service=gitlab") echo gitlab-id ;;
              "inspect --format {{.State.Status}} "*) echo "exited unhealthy" ;;
              "inspect --format {{json .State.Health}} gitlab-id") printf '%s\n' '{"Status":"unhealthy","Log":[{"ExitCode":1,"Output":"curl: (7) refused\n"}]}' ;;
              "logs --tail 20 gitlab-id") echo "gitlab: out of memory" >&2 ;;
              *) echo "unexpected: $*" >&2; exit 9 ;;
            esac
            """);
        var lines = new List<string>();

        // When Up waits for it
        var failure = Assert.Throws<BuildFailure>(() => new ServerReadiness(Server(), "p", docker, "/srv/state/compose/compose", lines.Add, CancellationToken.None).Wait());

        // Then it fails without waiting, naming the state, the health check and the log, and how to go on
        Assert.Matches(@"\Athe GitLab container is exited after \d+ s\n", failure.Problem);
        Assert.Contains("last health checks (docker inspect .State.Health.Log):\n  exit 1: curl: (7) refused", failure.Problem);
        Assert.Contains("last lines of its log (docker logs):\ngitlab: out of memory", failure.Problem);
        Assert.Contains("/srv/state/compose/compose logs gitlab", failure.Fix);
        Assert.Empty(lines);
    }
}
