using Build.Settings;

namespace Build.Helper;

/// <summary>
/// The helper output under the state folder: <c>helper/linux-&lt;arch&gt;/docker-credential-ecr-login</c> per platform
/// and <c>helper/manifest.json</c>. Later targets read it through <see cref="BinaryFor"/>; BuildHelper replaces it as
/// a whole, only with a verified new output.
/// </summary>
public sealed class HelperOutput(string directory)
{
    public const string BinaryName = "docker-credential-ecr-login";

    public static HelperOutput For(BuildSettings settings) => new(State.StateLayout.Of(settings).Helper);

    public string Directory { get; } = directory;

    public string ManifestPath => Path.Combine(Directory, HelperManifest.FileName);

    /// <summary>The folder beside the output where BuildHelper keeps its lock and staging folders.</summary>
    public string Parent => Path.GetDirectoryName(Directory)!;

    public HelperManifest? ReadManifest() => File.Exists(ManifestPath) ? HelperManifest.FromJson(File.ReadAllText(ManifestPath)) : null;

    /// <summary>The built helper for <paramref name="platform"/> (<c>linux/amd64</c>), checked against the manifest's SHA-256.</summary>
    public string BinaryFor(string platform)
    {
        var binary = ReadManifest()?.Binaries.FirstOrDefault(b => b.Platform == platform)
            ?? throw new BuildFailure($"no helper for {platform} in {Directory}", "run ./build.sh --target=BuildHelper (with HELPER_PLATFORMS naming " + platform + ")");
        return BinaryProblem(binary) is { } problem
            ? throw new BuildFailure(problem, "run ./build.sh --target=BuildHelper to rebuild it")
            : Path.Combine(Directory, binary.File);
    }

    /// <summary>Null when the output is the one <paramref name="request"/> asks for and every file matches the manifest; otherwise why it must be made again.</summary>
    public string? Staleness(HelperRequest request)
    {
        if (!File.Exists(ManifestPath))
        {
            return "no helper built yet";
        }

        if (ReadManifest() is not { } manifest)
        {
            return "its manifest is unreadable";
        }

        if (request.Mismatch(manifest) is { } change)
        {
            return "the settings changed: " + change;
        }

        return manifest.Binaries.Select(BinaryProblem).FirstOrDefault(p => p is not null)
            ?? (manifest.FromEarlierBuild ? "its manifest, written by an earlier version of this build, records no version read from the binaries" : null);
    }

    /// <summary>Makes <paramref name="staged"/> (a verified output beside this one) the output; the old one is removed only after.</summary>
    public void Replace(string staged)
    {
        var previous = Directory + ".previous-" + Guid.NewGuid().ToString("N")[..8];
        var hadPrevious = System.IO.Directory.Exists(Directory);
        if (hadPrevious)
        {
            System.IO.Directory.Move(Directory, previous);
        }

        try
        {
            System.IO.Directory.Move(staged, Directory);
        }
        catch
        {
            if (hadPrevious)
            {
                System.IO.Directory.Move(previous, Directory);
            }

            throw;
        }

        if (hadPrevious)
        {
            System.IO.Directory.Delete(previous, recursive: true);
        }
    }

    private string? BinaryProblem(HelperBinary binary)
    {
        var path = Path.Combine(Directory, binary.File);
        if (!File.Exists(path))
        {
            return $"{path} is missing";
        }

        return new FileInfo(path).Length != binary.Size || FileHash.Sha256(path) != binary.Sha256
            ? $"{path} does not match its manifest (changed or partly written)"
            : null;
    }
}
