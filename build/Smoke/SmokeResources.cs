using Build.Docker;

namespace Build.Smoke;

/// <summary>
/// Names and labels of everything one SmokeTest run creates (containers, volumes, a network), and their removal by
/// label: after every run, on failure and on Ctrl-C (the removal runs with a docker the run's cancellation does not stop).
/// </summary>
public sealed class SmokeResources(DockerCli cleanup, string project, string runId)
{
    public const string RunLabel = "gitlab-runner-ecr.smoke-run";

    public string Prefix => $"{project}-smoke-{runId}";

    /// <summary>The <c>key=value</c> labels of everything this run creates.</summary>
    public IReadOnlyList<string> Labels => [.. ProjectLabels.Of(project, "smoketest"), Run];

    private string Run => $"{RunLabel}={runId}";

    public string Container(string role) => $"{Prefix}-{role}";

    /// <summary>Creates the run's own internal network.</summary>
    public string Network(string role)
    {
        var name = $"{Prefix}-{role}";
        var result = cleanup.CreateNetwork(name, Labels, isInternal: true);
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
        if (!cleanup.VolumeExists(name))
        {
            cleanup.CreateVolume(name, Labels);
        }

        return $"{name}:{volume}";
    }

    /// <summary>Removes every container, volume and network carrying this run's label; returns what could not be removed.</summary>
    public IReadOnlyList<string> Remove()
    {
        var left = new List<string>();
        var containers = cleanup.ContainerIds([Run]);
        if (containers.Count > 0 && !cleanup.Remove(containers, TimeSpan.FromMinutes(1)).Succeeded)
        {
            left.AddRange(containers.Select(c => "container " + c[..Math.Min(12, c.Length)]));
        }

        foreach (var volume in cleanup.VolumeNames(Run))
        {
            if (!cleanup.RemoveVolume(volume, force: true).Succeeded)
            {
                left.Add("volume " + volume);
            }
        }

        foreach (var network in cleanup.NetworkIds(Run))
        {
            if (!cleanup.RemoveNetwork(network).Succeeded)
            {
                left.Add("network " + network);
            }
        }

        return left;
    }
}
