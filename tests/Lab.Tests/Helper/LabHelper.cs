using System.Security.Cryptography;
using Lab.Docker;

namespace Lab.Helper;

/// <summary>
/// The real, static amazon-ecr-credential-helper for the lab: the unmodified upstream 0.8.0 source in
/// <c>../shared/helper-src/</c> built through the product's own <c>archive</c> source with the lab's Go image (no
/// network). Lab tests use it instead of Debian's glibc helper, which cannot run in musl images. The build is
/// cached under <c>tests/lab/.out/helper/&lt;archive sha256&gt;-&lt;script sha256&gt;/</c>: a warm run finds the
/// manifest matching and pays only the build host's start.
/// </summary>
public static class LabHelper
{
    public const string Version = "0.8.0";

    /// <summary>The Compose project name (and so the labels and Go cache volume) of the lab helper's builds.</summary>
    public const string Project = "ecrlab-helper";

    private static readonly Lazy<Task<string>> Amd64 = new(BuildAsync);

    /// <summary>The source archive, beside the repository as CI lays it out (a copy of shared/ next to the clone).</summary>
    public static string Archive => Path.GetFullPath(Path.Combine(LabImages.RepositoryRoot(), "..", "shared", "helper-src", $"amazon-ecr-credential-helper-{Version}.tar.gz"));

    /// <summary>The built linux/amd64 helper (built once per machine and archive; later calls wait for the first).</summary>
    public static Task<string> Amd64Async() => Amd64.Value;

    private static async Task<string> BuildAsync()
    {
        if (!File.Exists(Archive))
        {
            throw new LabException($"{Archive} is missing: the lab builds the real helper from the upstream source archive in shared/helper-src/ beside the repository.");
        }

        var script = Path.Combine(LabImages.RepositoryRoot(), "assets", "helper", "build-helper.sh");
        var key = $"{Sha256(Archive)[..16]}-{Sha256(script)[..8]}";
        var root = BuildHelperRun.PrepareRoot(Path.Combine(LabImages.RepositoryRoot(), "tests", "lab", ".out", "helper", key));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var result = await BuildHelperRun.RunAsync(root, Settings(root), timeout.Token);
        var binary = Path.Combine(root, ".state", "helper", "linux-amd64", "docker-credential-ecr-login");
        if (!result.Succeeded || !File.Exists(binary))
        {
            throw new LabException($"building the real helper from {Archive} failed (exit {result.ExitCode}):\n{BuildHelperRun.Printed(result)}");
        }

        return binary;
    }

    /// <summary>The settings a user of an air-gapped site would give for this archive, with the lab's Go image.</summary>
    public static Dictionary<string, string> Settings(string root) => new()
    {
        ["STATE_DIR"] = Path.Combine(root, ".state"),
        ["COMPOSE_PROJECT_NAME"] = Project,
        ["HELPER_SOURCE"] = "archive",
        ["HELPER_ARCHIVE"] = Archive,
        ["HELPER_VERSION"] = Version,
        ["HELPER_PLATFORMS"] = "linux/amd64",
        ["HELPER_GO_IMAGE"] = LabImages.Load().Go,
    };

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
