using Build.Fleet;
using Build.Helper;
using Build.Settings;
using Build.Tests.RunnerConfig;
using YamlDotNet.RepresentationModel;

namespace Build.Tests.Fixtures;

/// <summary>Settings of a fleet, a helper manifest with known checksums, and YAML read back as data.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class FleetFixture
{
    public const string Amd64Sha = "1111111111111111111111111111111111111111111111111111111111111111";
    public const string Arm64Sha = "2222222222222222222222222222222222222222222222222222222222222222";

    public static BuildSettings Settings(string mode, Dictionary<string, string>? more = null)
    {
        var values = new Dictionary<string, string>
        {
            ["FLEET"] = "aws",
            ["FLEET_ASG"] = "ci-workers",
            ["FLEET_HELPER_URL"] = "https://helpers.example.com/ecr/",
            ["DIND_AUTH"] = mode,
            ["DIND_TOKEN_REFRESH"] = "30m",
        };
        foreach (var (key, value) in more ?? [])
        {
            values[key] = value;
        }

        return ConfigTomlTests.Settings(values);
    }

    public static HelperManifest Manifest(bool arm64 = true) => new()
    {
        Source = "build",
        Version = "0.12.0",
        Origin = "github.com/awslabs/amazon-ecr-credential-helper",
        CreatedAt = DateTimeOffset.UnixEpoch,
        Binaries = [new HelperBinary("linux/amd64", "linux-amd64/docker-credential-ecr-login", Amd64Sha, 10), .. arm64 ? new[] { new HelperBinary("linux/arm64", "linux-arm64/docker-credential-ecr-login", Arm64Sha, 10) } : []],
    };

    public static IReadOnlyDictionary<string, string> Rendered(string mode, Dictionary<string, string>? more = null) =>
        WorkerFiles.Render(Settings(mode, more), TestRepository.Root(), Manifest()).ToDictionary(f => f.Name, f => f.Text);

    public static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    public static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;
}
