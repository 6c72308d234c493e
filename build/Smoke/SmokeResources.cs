using Build.Docker;
using Build.Processes;

namespace Build.Smoke;

/// <summary>
/// Names and labels of everything one SmokeTest run creates (containers, volumes, a network), and their removal by
/// label: after every run, on failure and on Ctrl-C (the removal runs with a runner that is not cancelled).
/// </summary>
public sealed class SmokeResources(DockerCli cleanup, string project, string runId)
{
    public const string RunLabel = "gitlab-runner-ecr.smoke-run";

    public string Prefix => $"{project}-smoke-{runId}";

    public IReadOnlyList<string> Labels => [.. ProjectLabels.Arguments(project, "smoketest"), "--label", $"{RunLabel}={runId}"];

    public string Container(string role) => $"{Prefix}-{role}";

    /// <summary>Creates the run's own internal network.</summary>
    public string Network(string role)
    {
        var name = $"{Prefix}-{role}";
        var result = cleanup.Run(Arguments.Of(["network", "create", "--internal", .. Labels, name]));
        return result.Succeeded ? name : throw new BuildFailure($"docker could not create the network {name}: {result.StandardError.Trim()}", "check the daemon (docker network ls)");
    }

    /// <summary>A <c>[runners.docker]</c> volume as the executor mounts it: a bare path becomes a labelled volume shared by the service and the job.</summary>
    public string Volume(string volume)
    {
        if (volume.Contains(':', StringComparison.Ordinal))
        {
            return volume;
        }

        var name = $"{Prefix}-{new string([.. volume.Trim('/').Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')])}";
        if (!cleanup.Run(Arguments.Of(["volume", "inspect", name])).Succeeded)
        {
            cleanup.Run(Arguments.Of(["volume", "create", .. Labels, name]));
        }

        return $"{name}:{volume}";
    }

    /// <summary>Removes every container, volume and network carrying this run's label; returns what could not be removed.</summary>
    public IReadOnlyList<string> Remove()
    {
        var left = new List<string>();
        var filter = $"label={RunLabel}={runId}";
        var containers = Lines(cleanup.Run(Arguments.Of("ps", "-aq", "--filter", filter)));
        if (containers.Count > 0 && !cleanup.Run(Arguments.Of(["rm", "-fv", .. containers]), new CommandOptions { Timeout = TimeSpan.FromMinutes(1) }).Succeeded)
        {
            left.AddRange(containers.Select(c => "container " + c));
        }

        foreach (var volume in Lines(cleanup.Run(Arguments.Of("volume", "ls", "-q", "--filter", filter))))
        {
            if (!cleanup.Run(Arguments.Of("volume", "rm", "-f", volume)).Succeeded)
            {
                left.Add("volume " + volume);
            }
        }

        foreach (var network in Lines(cleanup.Run(Arguments.Of("network", "ls", "-q", "--filter", filter))))
        {
            if (!cleanup.Run(Arguments.Of("network", "rm", network)).Succeeded)
            {
                left.Add("network " + network);
            }
        }

        return left;
    }

    private static List<string> Lines(CommandResult result) =>
        result.Succeeded ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [];
}
