using System.Globalization;
using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>The container operations: state, logs, create, start, exec, cp, stop and rm.</summary>
public sealed partial class DockerCli
{
    public static ProcessArgumentBuilder StatusArguments(string container) => Arguments.Of("inspect", "--format", "{{.State.Status}}", container);

    /// <summary>The container's state (<c>running</c>, <c>exited</c>, ...); empty when docker does not know it.</summary>
    public string ContainerStatus(string container) => Run(StatusArguments(container)).StandardOutput.Trim();

    public static ProcessArgumentBuilder EnvironmentArguments(string container) => Arguments.Of("inspect", "--format", "{{json .Config.Env}}", container);

    /// <summary>The environment the container's main process started with (<c>NAME=value</c>); empty when docker does not know the container.</summary>
    public IReadOnlyList<string> ContainerEnvironment(string container)
    {
        var result = Run(EnvironmentArguments(container));
        try
        {
            return result.Succeeded ? System.Text.Json.JsonSerializer.Deserialize<List<string>>(result.StandardOutput.Trim()) ?? [] : [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    public static ProcessArgumentBuilder HealthArguments(string container) =>
        Arguments.Of("inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", container);

    /// <summary>The container's state and health (<c>none</c> without a HEALTHCHECK); (<c>missing</c>, <c>none</c>) when docker does not know it.</summary>
    public (string Status, string Health) ContainerHealth(string container)
    {
        var words = Run(HealthArguments(container)).StandardOutput.Trim().Split(' ');
        return words.Length == 2 ? (words[0], words[1]) : ("missing", "none");
    }

    public static ProcessArgumentBuilder HealthLogArguments(string container) => Arguments.Of("inspect", "--format", "{{json .State.Health}}", container);

    /// <summary>The container's health as JSON (with the log of its last checks); <c>null</c> or empty without a HEALTHCHECK.</summary>
    public string HealthJson(string container) => Run(HealthLogArguments(container)).StandardOutput.Trim();

    /// <summary>Docker ORs filters of the same key and ANDs the others: the running ones of these ids, asked at once.</summary>
    public static ProcessArgumentBuilder RunningArguments(IEnumerable<string> containerIds) =>
        Arguments.Of(["ps", "--quiet", "--no-trunc", .. containerIds.SelectMany(id => new[] { "--filter", "id=" + id }), "--filter", "status=running"]);

    /// <summary>True when the container with this full id exists and runs.</summary>
    public bool IsRunning(string containerId) => AreRunning([containerId]);

    /// <summary>True when every container of these full ids exists and runs (one docker call).</summary>
    public bool AreRunning(IReadOnlyCollection<string> containerIds)
    {
        var running = Run(RunningArguments(containerIds));
        return running.Succeeded && Lines(running).ToHashSet(StringComparer.Ordinal).SetEquals(containerIds);
    }

    public static ProcessArgumentBuilder StartedArguments(string container) => Arguments.Of("inspect", "--format", "{{.State.Status}} {{.State.StartedAt}}", container);

    /// <summary>The container's state and when it last started; (<c>missing</c>, null) when docker does not know it.</summary>
    public (string Status, DateTimeOffset? StartedAt) ContainerStarted(string container)
    {
        var words = Run(StartedArguments(container)).StandardOutput.Trim().Split(' ');
        return words.Length == 2
            ? (words[0], DateTimeOffset.TryParse(words[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null)
            : ("missing", null);
    }

    public static ProcessArgumentBuilder InspectArguments(string container) => Arguments.Of("inspect", "--type", "container", container);

    /// <summary><c>docker inspect</c> of one container: its JSON (an array of one), or null when docker does not know it.</summary>
    public string? Inspect(string container)
    {
        var result = Run(InspectArguments(container));
        return result.Succeeded ? result.StandardOutput : null;
    }

    /// <summary>Containers carrying every one of <paramref name="labels"/> (<c>key=value</c>; Docker ANDs them), stopped ones too when <paramref name="all"/>.</summary>
    public static ProcessArgumentBuilder ContainerIdsArguments(IEnumerable<string> labels, bool all) =>
        Arguments.Of(["ps", .. all ? ["--all"] : Array.Empty<string>(), "--quiet", "--no-trunc", .. labels.SelectMany(l => new[] { "--filter", "label=" + l })]);

    /// <summary>The full ids of the containers carrying every one of <paramref name="labels"/>; none when docker fails.</summary>
    public IReadOnlyList<string> ContainerIds(IEnumerable<string> labels, bool all = true) => Lines(Run(ContainerIdsArguments(labels, all)));

    public static ProcessArgumentBuilder LogsArguments(string container, int tail) =>
        Arguments.Of("logs", "--tail", tail.ToString(CultureInfo.InvariantCulture), container);

    /// <summary>The container's last <paramref name="tail"/> log lines: its standard output and error on the result's.</summary>
    public CommandResult Logs(string container, int tail) => Run(LogsArguments(container, tail));

    public static ProcessArgumentBuilder CreateArguments(ContainerSpec spec) => Arguments.Of(
    [
        "create", "--pull", "never", "--name", spec.Name, .. Labels(spec.Labels),
        .. spec.Network is null ? [] : new[] { "--network", spec.Network },
        .. spec.NetworkAliases.SelectMany(a => new[] { "--network-alias", a }),
        .. spec.Volumes.SelectMany(v => new[] { "--volume", v }),
        .. spec.Environment.SelectMany(e => new[] { "--env", e }),
        .. spec.ExtraHosts.SelectMany(h => new[] { "--add-host", h }),
        .. spec.Privileged ? ["--privileged"] : Array.Empty<string>(),
        .. spec.CapAdd.SelectMany(c => new[] { "--cap-add", c }),
        .. spec.CapDrop.SelectMany(c => new[] { "--cap-drop", c }),
        .. spec.SecurityOptions.SelectMany(o => new[] { "--security-opt", o }),
        .. spec.Entrypoint is null ? [] : new[] { "--entrypoint", spec.Entrypoint },
        spec.Image, .. spec.Command,
    ]);

    public CommandResult Create(ContainerSpec spec) => Run(CreateArguments(spec));

    public static ProcessArgumentBuilder StartArguments(string container, bool attach) =>
        Arguments.Of(attach ? ["start", "--attach", container] : ["start", container]);

    public CommandResult Start(string container) => Run(StartArguments(container, attach: false));

    /// <summary>Starts the container and waits for it to end (its output on the result's), stopping it after <paramref name="timeout"/>.</summary>
    public CommandResult StartAttached(string container, TimeSpan timeout) => Run(StartArguments(container, attach: true), timeout);

    public static ProcessArgumentBuilder ExecArguments(ExecSpec exec) => Arguments.Of(
    [
        "exec", .. exec.StandardInput is null ? [] : new[] { "--interactive" },
        .. exec.Environment.SelectMany(e => new[] { "--env", e }),
        .. exec.SecretEnvironment.Keys.SelectMany(name => new[] { "--env", name }),
        exec.Container, .. exec.Command,
    ]);

    /// <summary>How the exec runs: its time limit, the secret variables in docker's environment, the secret on its standard input.</summary>
    public static CommandOptions ExecOptions(ExecSpec exec) => new()
    {
        Timeout = exec.Timeout,
        SecretEnvironment = exec.SecretEnvironment,
        StandardInput = exec.StandardInput,
        SecretOutput = exec.SecretOutput,
    };

    public CommandResult Exec(ExecSpec exec) => Run(ExecArguments(exec), ExecOptions(exec));

    /// <summary><c>docker cp</c>: <c>container:path</c> on either side.</summary>
    public static ProcessArgumentBuilder CopyArguments(string source, string destination) => Arguments.Of("cp", source, destination);

    public CommandResult Copy(string source, string destination) => Run(CopyArguments(source, destination));

    public static ProcessArgumentBuilder StopArguments(IEnumerable<string> containers, TimeSpan grace) =>
        Arguments.Of(["stop", "--time", ((int)grace.TotalSeconds).ToString(CultureInfo.InvariantCulture), .. containers]);

    /// <summary>Stops the containers, each given <paramref name="grace"/> before it is killed.</summary>
    public CommandResult Stop(IEnumerable<string> containers, TimeSpan grace) => Run(StopArguments(containers, grace));

    /// <summary><c>rm --force --volumes</c>: running ones too, with their anonymous volumes.</summary>
    public static ProcessArgumentBuilder RemoveArguments(IEnumerable<string> containers) => Arguments.Of(["rm", "--force", "--volumes", .. containers]);

    public CommandResult Remove(IEnumerable<string> containers, TimeSpan? timeout = null) =>
        Run(RemoveArguments(containers), timeout ?? CommandOptions.DefaultTimeout);
}
