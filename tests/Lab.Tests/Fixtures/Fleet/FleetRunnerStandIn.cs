
namespace Lab.Fixtures.Fleet;

/// <summary>
/// A runner image for Up's fleet mode, derived at test time from the lab's runner-host (which has no gitlab-runner):
/// a container of it with <see cref="Script"/> copied in as /usr/local/bin/gitlab-runner, committed under a tag of
/// this run and labelled with it. The script is no runner: it records its arguments and lays out a plugin the way
/// <c>fleeting install</c> places one, so the test proves what Up asks of the runner and what it finds afterwards.
/// </summary>
public sealed class FleetRunnerStandIn : IAsyncDisposable
{
    /// <summary>gitlab-runner as far as Up's fleet mode uses it: <c>fleeting install</c> only.</summary>
    public const string Script = """
        #!/bin/sh
        # Stand-in for gitlab-runner in the lab: records each call, and for `fleeting install` places a plugin file
        # for the config's plugin under FLEETING_PLUGIN_PATH. It downloads nothing and runs no plugin.
        set -eu
        printf '%s CONFIG_FILE=%s\n' "$*" "${CONFIG_FILE:-}" >> "${FLEETING_PLUGIN_PATH:?}/../calls.log"
        if [ "$*" != "fleeting install" ]; then
          echo "stand-in gitlab-runner: $*: not emulated" >&2
          exit 1
        fi
        plugin=$(sed -n 's/^ *plugin = "\(.*\)"$/\1/p' "${CONFIG_FILE:?}")
        [ -n "$plugin" ] || { echo "stand-in gitlab-runner: no plugin in $CONFIG_FILE" >&2; exit 1; }
        folder="$FLEETING_PLUGIN_PATH/registry.gitlab.com/gitlab-org/fleeting/plugins/${plugin%%:*}/${plugin#*:}"
        mkdir -p "$folder"
        printf 'stand-in plugin %s\n' "$plugin" > "$folder/plugin"
        """;

    private FleetRunnerStandIn(string image) => Image = image;

    public string Image { get; }

    public static async Task<FleetRunnerStandIn> CreateAsync(LabFixture lab, CancellationToken cancel)
    {
        var image = $"ecrlab/fleet-runner:{lab.RunId}";
        var script = Path.Combine(lab.NewFolder("fleet-runner"), "gitlab-runner");
        await File.WriteAllTextAsync(script, Script.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n", cancel);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var container = (await Cli.DockerAsync("create the fleet runner stand-in", cancel, "create", "--pull", "never", "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, lab.Images.RunnerHost)).Output.Trim();
        try
        {
            await Cli.DockerAsync("copy the stand-in gitlab-runner", cancel, "cp", script, $"{container}:/usr/local/bin/gitlab-runner");
            await Cli.DockerAsync("commit the fleet runner stand-in", cancel, "commit", "--change", $"LABEL {LabFixture.RunLabel}={lab.RunId}", container, image);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "--force", container], CancellationToken.None);
        }

        return new FleetRunnerStandIn(image);
    }

    public async ValueTask DisposeAsync() => await Cli.RunAsync("docker", ["rmi", "--force", Image], CancellationToken.None);
}
