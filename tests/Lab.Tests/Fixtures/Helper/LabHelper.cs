using System.IO.Compression;
using System.Security.Cryptography;

namespace Lab.Fixtures.Helper;

/// <summary>
/// The real, static amazon-ecr-credential-helper for the lab: the unmodified upstream 0.8.0 source archive (by default
/// in a folder shared/helper-src/ beside the repository, or where <see cref="ArchiveVariable"/> points) built through
/// the product's own <c>archive</c> source with the lab's Go image (no network). Lab tests use it instead of Debian's
/// glibc helper, which cannot run in musl images; the tests that need it carry <see cref="HelperArchiveFactAttribute"/>
/// and are skipped, with the reason, when the archive is absent. The build is cached under
/// <c>tests/lab/.out/helper/&lt;archive sha256&gt;-&lt;script sha256&gt;/</c>: a warm run finds the manifest matching and
/// pays only the build host's start.
/// </summary>
public static class LabHelper
{
    public const string Version = "0.8.0";

    /// <summary>The Compose project name (and so the labels and Go cache volume) of the lab helper's builds.</summary>
    public const string Project = "ecrlab-helper";

    /// <summary>Where the archive is when it is not in the default place (a path, relative ones from the repository root).</summary>
    public const string ArchiveVariable = "LAB_HELPER_ARCHIVE";

    public const string ArchiveName = $"amazon-ecr-credential-helper-{Version}.tar.gz";

    /// <summary>The archive the lab's expectations (version, the SDK its calls name) were checked against.</summary>
    public const string ArchiveSha256 = "300e0c7d0c081b46fdfdfa95a1c754912a3957fd8a9caacf054d751428028048";

    /// <summary>The same archive's tar stream, so that a copy compressed by another gzip is accepted too.</summary>
    public const string TarSha256 = "a922bad8f09b7dd478f68f1eb89d7389ad43305d0484cd0f2c992cdc72e57371";

    public const string DownloadUrl = "https://github.com/awslabs/amazon-ecr-credential-helper/archive/refs/tags/v0.8.0.tar.gz";

    private static readonly Lazy<Task<string>> Amd64 = new(BuildAsync);

    /// <summary>The source archive of this run: <see cref="ArchiveVariable"/>, else beside the repository as CI lays it out.</summary>
    public static string Archive => Locate(Environment.GetEnvironmentVariable, LabImages.RepositoryRoot());

    /// <summary>Why the tests that need the archive cannot run here (it is absent), or null when it is there.</summary>
    public static string? SkipReason => MissingReason(Archive);

    public static string Locate(Func<string, string?> environment, string repositoryRoot) =>
        environment(ArchiveVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured, repositoryRoot)
            : Path.GetFullPath(Path.Combine(repositoryRoot, "..", "shared", "helper-src", ArchiveName));

    public static string? MissingReason(string archive) =>
        File.Exists(archive)
            ? null
            : $"needs the lab's real helper, built from the upstream source archive {ArchiveName} (sha256 {ArchiveSha256}), "
              + $"which is not at {archive}: put the v{Version} source archive ({DownloadUrl}) in a folder shared/helper-src/ "
              + $"beside the repository, or set {ArchiveVariable} to its path (see docs/lab.md)";

    /// <summary>Why the file is not the archive the lab pins (another release, a changed file), or null when it is.</summary>
    public static string? PinProblem(string archive)
    {
        var file = Sha256(archive);
        if (file == ArchiveSha256)
        {
            return null;
        }

        string tar;
        try
        {
            using var stream = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
            tar = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (InvalidDataException)
        {
            tar = "(not gzip)";
        }

        return tar == TarSha256
            ? null
            : $"{archive} is not the helper source archive the lab tests pin: its sha256 is {file} (its tar stream {tar}); "
              + $"expected {ArchiveSha256} (tar stream {TarSha256}), the upstream v{Version} source archive (see docs/lab.md)";
    }

    /// <summary>The built linux/amd64 helper (built once per machine and archive; later calls wait for the first).</summary>
    public static Task<string> Amd64Async() => Amd64.Value;

    private static async Task<string> BuildAsync()
    {
        var archive = Archive;
        if ((MissingReason(archive) ?? PinProblem(archive)) is { } problem)
        {
            throw new LabException($"the lab's real helper cannot be built: {problem}. A test that needs it carries [{nameof(HelperArchiveFactAttribute)}].");
        }

        var script = Path.Combine(LabImages.RepositoryRoot(), "assets", "helper", "build-helper.sh");
        var key = $"{Sha256(archive)[..16]}-{Sha256(script)[..8]}";
        var root = BuildHelperRun.PrepareRoot(Path.Combine(LabImages.RepositoryRoot(), "tests", "lab", ".out", "helper", key));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var result = await BuildHelperRun.RunAsync(root, Settings(root), timeout.Token);
        var binary = Path.Combine(root, ".state", "helper", "linux-amd64", "docker-credential-ecr-login");
        if (!result.Succeeded || !File.Exists(binary))
        {
            throw new LabException($"building the real helper from {archive} failed (exit {result.ExitCode}):\n{BuildHelperRun.Printed(result)}");
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
