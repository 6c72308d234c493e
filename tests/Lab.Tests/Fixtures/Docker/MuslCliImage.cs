
namespace Lab.Fixtures.Docker;

/// <summary>The lab's musl-only image plus the host's static docker CLI: an Alpine-like job image (no glibc, no helper), made without a registry.</summary>
public static class MuslCliImage
{
    /// <summary>Builds the image (tagged for this run); remove it with <c>docker rmi</c>.</summary>
    public static async Task<string> BuildAsync(LabFixture lab, CancellationToken cancel)
    {
        var cli = (await Cli.DockerAsync("find the docker CLI", cancel, "version", "--format", "{{.Client.Version}}")).Succeeded ? "/usr/local/bin/docker" : throw new LabException("no docker CLI");
        var type = await Cli.RunAsync("file", ["-L", cli], cancel);
        if (!type.Output.Contains("statically linked", StringComparison.Ordinal))
        {
            throw new LabException($"{cli} is not a static binary ({type.Output.Trim()}), so it cannot stand in for the docker CLI of a musl job image");
        }

        var image = $"{lab.RunId}-musl-cli-{Guid.NewGuid():N}"[..48].ToLowerInvariant() + ":latest";
        var builder = $"{lab.RunId}-musl-cli-build-{Guid.NewGuid():N}";
        await Cli.DockerAsync("create the musl builder", cancel, "create", "--pull", "never", "--name", builder, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, lab.Images.Musl, "true");
        try
        {
            await Cli.DockerAsync("copy the static docker CLI", cancel, "cp", "-L", cli, builder + ":/bin/docker");
            await Cli.DockerAsync("commit the musl CLI image", cancel, "commit", builder, image);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", builder], CancellationToken.None);
        }

        return image;
    }
}
