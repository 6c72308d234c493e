
namespace Lab.Fixtures.Docker;

/// <summary>How lab tests call the real helper and the docker CLI: isolated cache and config, the lab CA, no IMDS.</summary>
public static class LabClient
{
    public const string NotFound = "credentials not found in native keychain";

    /// <summary>
    /// The environment the helper needs here: the staged credentials file, a per-call cache (so no cached
    /// token hides a failure), the lab CA (AWS_CA_BUNDLE is preset on this machine to the system bundle), and the
    /// real static helper (<see cref="LabHelper"/>) first on PATH, so docker's credHelpers run it rather than Debian's.
    /// </summary>
    public static Dictionary<string, string> HelperEnvironment(LabFixture lab, string credentialsFile, string cacheDirectory) => new()
    {
        ["PATH"] = Path.GetDirectoryName(LabHelper.Amd64Async().GetAwaiter().GetResult()) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["HOME"] = cacheDirectory,
        ["AWS_ECR_CACHE_DIR"] = Path.Combine(cacheDirectory, ".ecr"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile,
        ["AWS_CONFIG_FILE"] = Path.Combine(cacheDirectory, "no-aws-config"),
        ["AWS_CA_BUNDLE"] = lab.CaPath,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    public static string HelperLog(string cacheDirectory)
    {
        var path = Path.Combine(cacheDirectory, ".ecr", "log", "ecr-login.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    public static async Task<ProcessResult> HelperGetAsync(LabFixture lab, string serverUrl, string credentialsFile, string cacheDirectory, CancellationToken cancel) =>
        await Cli.RunAsync(await LabHelper.Amd64Async(), ["get"], cancel, HelperEnvironment(lab, credentialsFile, cacheDirectory), serverUrl + "\n", replaceEnvironment: true);

    /// <summary>A docker config folder whose config.json maps each registry to the ecr-login helper (credHelpers).</summary>
    public static string CredHelpersConfig(LabFixture lab, IEnumerable<string> registries)
    {
        var folder = lab.NewFolder("docker-config");
        var helpers = registries.ToDictionary(r => r, _ => "ecr-login");
        File.WriteAllText(Path.Combine(folder, "config.json"), System.Text.Json.JsonSerializer.Serialize(new { credHelpers = helpers }));
        return folder;
    }

    public static Task<ProcessResult> DockerAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancel, params string[] arguments) =>
        Cli.RunAsync("docker", arguments, cancel, environment, replaceEnvironment: true);
}
