using Build.Diagnose;
using Build.Helper;
using Build.Host;
using Build.Processes;
using Build.Tests.Docker;
using Build.Tests.Helper;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Tests.Fixtures;

/// <summary>
/// One fixture of Fixtures/ copied into a folder of its own and made real: placeholders in its config.toml and
/// runner.env replaced (@DIR@, @STATIC_HELPER@, @GLIBC_HELPER@), the files its volumes name created (a static helper
/// written byte by byte, a glibc-linked program standing in for Debian's helper, the jobs' config.json, a credentials
/// file), and a fake helper on the runner's PATH that answers get with a token (or the fixture's own helper.sh). The
/// runner process is this host's, with the fixture's environment; docker is a fake (docker.sh, or one that fails).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiagnoseFixture : IDisposable
{
    public const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    /// <summary>The marker every secret of the fixtures carries in plain text.</summary>
    public const string Marker = "S3CR3T";

    /// <summary>The fixtures' secrets that are base64 (auth entries), which the marker does not show through.</summary>
    public static readonly string[] EncodedSecrets =
    [
        "QVdTOmV5SndZWGxzYjJGa0lqb2dJbE16UTFJelZDMXdZWGxzYjJGa0xUQXhNak0wTlRZM09EbGhZbU5rWldZaUxDQWlaR0YwWVd0bGVTSTZJQ0pUTTBOU00xUXRaR0YwWVd0bGVTMWhZbU5rWldZaUxDQWlkbVZ5YzJsdmJpSTZJQ0l5SWl3Z0luUjVjR1VpT2lBaVJFRlVRVjlMUlZraUxDQWlaWGh3YVhKaGRHbHZiaUk2SURFMU56YzRNelk0TURCOQ==",
        "eyJwYXlsb2FkIjogIlMzQ1IzVC1wYXlsb2FkLTAxMjM0NTY3ODlhYmNkZWYiLCAiZGF0YWtleSI6ICJTM0NSM1QtZGF0YWtleS1hYmNkZWYiLCAidmVyc2lvbiI6ICIyIiwgInR5cGUiOiAiREFUQV9LRVkiLCAiZXhwaXJhdGlvbiI6IDE1Nzc4MzY4MDB9",
        "Z2l0bGFiLWNpLXRva2VuOlMzQ1IzVC1naXRsYWItcGFzc3dvcmQ=",
    ];

    /// <summary>A helper that answers -v and get (with a token) using shell built-ins only (its PATH may hold nothing else).</summary>
    public const string FakeHelper = """
        #!/bin/sh
        case "$1" in
          -v) echo "amazon-ecr-credential-helper"; echo "Version:    0.12.0" ;;
          get) read host; echo "{\"ServerURL\":\"$host\",\"Username\":\"AWS\",\"Secret\":\"S3CR3T-ecr-token-0123456789\"}" ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """;

    private readonly FakeDocker _docker = new();

    private DiagnoseFixture(string name)
    {
        Name = name;
        Dir = Directory.CreateTempSubdirectory("diagnose-" + name + "-").FullName;
        Copy(Path.Combine(Folder, name), Dir);
        Write("bin/docker-credential-ecr-login", File.Exists(Path.Combine(Dir, "helper.sh")) ? File.ReadAllText(Path.Combine(Dir, "helper.sh")) : FakeHelper, executable: true);
        Directory.CreateDirectory(Path.Combine(Dir, "empty-bin"));
        Directory.CreateDirectory(Path.Combine(Dir, "home"));
        Directory.CreateDirectory(Path.Combine(Dir, "users", "bob"));
        Write("home-is-a-file", "not a folder\n");
        Write("aws/credentials", $"[default]\naws_access_key_id = AKIA{Marker}FIXTURE01\naws_secret_access_key = {Marker}/fixture/secret/key/0123456789\n");
        Write("jobs/config.json", $"{{\"credHelpers\":{{\"{Registry}\":\"ecr-login\"}}}}\n");
        Write("jobs/creds-store.json", "{\"credsStore\":\"ecr-login\"}\n");
        StaticHelper = TinyElf.Helper(Build.Aws.HelperLocation.Host, "0.12.0").WriteTo(Path.Combine(Directory.CreateDirectory(Path.Combine(Dir, "helper")).FullName, "docker-credential-ecr-login"));
        GlibcHelper = Path.Combine(Directory.CreateDirectory(Path.Combine(Dir, "glibc")).FullName, "docker-credential-ecr-login");
        File.Copy(new[] { "/usr/bin/true", "/bin/true" }.First(File.Exists), GlibcHelper);
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Path.Combine(Dir, "bin"),
            ["HOME"] = Path.Combine(Dir, "home"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Dir, "aws", "credentials"),
            ["AWS_PROFILE"] = "default",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var line in Lines("runner.env"))
        {
            var (key, value) = RunnerConfigFile.Split(line);
            Environment[key] = value;
        }

        ConfigPath = Directory.EnumerateFiles(Dir, "config.toml", SearchOption.AllDirectories).Single();
        File.WriteAllText(ConfigPath, Real(File.ReadAllText(ConfigPath)));
    }

    public static string Folder { get; } = Path.Combine(TestRepository.Root(), "tests", "Build.Tests", "Diagnose", "Fixtures");

    public static IReadOnlyList<string> All => [.. Directory.EnumerateDirectories(Folder).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Names => new(All);

    public string Name { get; }

    public string Dir { get; }

    public string ConfigPath { get; }

    public string StaticHelper { get; }

    public string GlibcHelper { get; }

    /// <summary>The runner process's environment: a PATH with the fake helper, a HOME, a credentials file; runner.env's lines on top.</summary>
    public Dictionary<string, string> Environment { get; }

    public Build.Secrets.Redactor Redactor => _docker.Redactor;

    public static DiagnoseFixture Copy(string name) => new(name);

    /// <summary>The diagnosis of the fixture's config.toml (or another), with this fixture's fake docker and environment.</summary>
    public RunnerDiagnosis Diagnosis(string? configPath = null)
    {
        var body = File.Exists(Path.Combine(Dir, "docker.sh")) ? $"CALLS='{Path.Combine(_docker.Folder, "calls")}'\n{File.ReadAllText(Path.Combine(Dir, "docker.sh"))}" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1";
        var docker = _docker.Cli(body);
        var context = CakeContextFactory.Create(new CakeEnvironment(new CakePlatform(), new CakeRuntime()), new NullLog(), HostOptions.Parse([]));
        return new RunnerDiagnosis(configPath ?? ConfigPath, null, "docker:29-dind", "diagnose-test", docker, new CommandRunner(context, Redactor, CancellationToken.None), Redactor, Environment, 0);
    }

    public DiagnosisReport Diagnose() => Diagnosis().Run(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The docker calls the diagnosis made.</summary>
    public string[] DockerCalls => _docker.Calls;

    public void Dispose()
    {
        _docker.Dispose();
        Directory.Delete(Dir, recursive: true);
    }

    private string Real(string text) => text
        .Replace("@STATIC_HELPER@", StaticHelper, StringComparison.Ordinal)
        .Replace("@GLIBC_HELPER@", GlibcHelper, StringComparison.Ordinal)
        .Replace("@DIR@", Dir, StringComparison.Ordinal);

    private IEnumerable<string> Lines(string file) =>
        File.Exists(Path.Combine(Dir, file)) ? Real(File.ReadAllText(Path.Combine(Dir, file))).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    private void Write(string relative, string text, bool executable = false)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r", string.Empty, StringComparison.Ordinal) + (text.EndsWith('\n') ? string.Empty : "\n"));
        if (executable)
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
