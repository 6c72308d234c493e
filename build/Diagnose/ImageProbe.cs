using System.Security.Cryptography;
using Build.Docker;

namespace Build.Diagnose;

/// <summary>
/// Runs one command in an image that is on this machine (never pulled: an absent image is a null answer), in a container
/// with no network, labelled with the project, and removed again whatever happens: how Diagnose learns the docker
/// version an image carries, or whether a helper runs in a job image.
/// </summary>
public sealed class ImageProbe(DockerCli docker, string project)
{
    private readonly DockerCli _cleanup = docker.WithoutCancellation();
    private readonly Dictionary<string, bool> _present = new(StringComparer.Ordinal);

    public const string Role = "diagnose";

    public bool Has(string image)
    {
        if (!_present.TryGetValue(image, out var present))
        {
            _present[image] = present = docker.ImageExists(image);
        }

        return present;
    }

    /// <summary>The exit code and output (standard output, then error) of <paramref name="entrypoint"/> in <paramref name="image"/>; null when the image is not here.</summary>
    public (int ExitCode, string Output)? Run(string image, string entrypoint, IReadOnlyList<string> command, IReadOnlyList<string>? volumes = null)
    {
        if (!Has(image))
        {
            return null;
        }

        var name = $"{project}-diagnose-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";
        var spec = new ContainerSpec(name, image)
        {
            Labels = ProjectLabels.Of(project, Role),
            Network = "none",
            Entrypoint = entrypoint,
            Command = command,
            Volumes = volumes ?? [],
        };
        try
        {
            var created = docker.Create(spec);
            if (!created.Succeeded)
            {
                return (created.ExitCode, created.StandardError.Trim());
            }

            var run = docker.StartAttached(name, TimeSpan.FromSeconds(60));
            return (run.ExitCode, (run.StandardOutput + "\n" + run.StandardError).Trim());
        }
        finally
        {
            _cleanup.Remove([name]);
        }
    }
}
