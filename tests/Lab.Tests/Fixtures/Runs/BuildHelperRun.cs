
namespace Lab.Fixtures.Runs;

/// <summary>
/// Runs the real build's BuildHelper target (Build.dll beside the tests, as build.sh starts it) with BUILD_ROOT at
/// a folder of its own holding a copy of assets/helper, and settings given as environment variables.
/// </summary>
public static class BuildHelperRun
{
    /// <summary>A build root with the repository's assets/helper (refreshed when they changed).</summary>
    public static string PrepareRoot(string root)
    {
        var source = Path.Combine(LabImages.RepositoryRoot(), "assets", "helper");
        var target = Directory.CreateDirectory(Path.Combine(root, "assets", "helper")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            if (!File.Exists(copy) || !File.ReadAllBytes(copy).SequenceEqual(File.ReadAllBytes(file)))
            {
                File.Copy(file, copy, overwrite: true);
            }
        }

        return root;
    }

    public static Task<ProcessResult> RunAsync(string root, IReadOnlyDictionary<string, string> settings, CancellationToken cancellation, params string[] arguments) =>
        Cli.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=BuildHelper", .. arguments],
            cancellation,
            new Dictionary<string, string>(settings) { ["BUILD_ROOT"] = root, ["NO_COLOR"] = "1" });

    public static string Printed(ProcessResult result) => result.Output + result.Error;
}
