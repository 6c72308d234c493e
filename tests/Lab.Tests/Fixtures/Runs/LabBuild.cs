using System.Text;

namespace Lab.Fixtures.Runs;

/// <summary>
/// The real build (Build.dll, as build.sh starts it) run as a process against the lab: its own root with the
/// credentials template, HOME in the run's work folder, and settings pointing at the lab's emulator, CA,
/// helper and registries. Everything it prints is kept, for the leak search.
/// </summary>
public sealed class LabBuild
{
    private readonly LabFixture _lab;
    private readonly StringBuilder _printed = new();

    public LabBuild(LabFixture lab)
    {
        _lab = lab;
        Root = lab.NewFolder("build-root");
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        File.Copy(Path.Combine(TestRepository.Root(), "assets", "runner-ecr-credentials"), Path.Combine(Root, "assets", "runner-ecr-credentials"));
        CredentialsFile = Path.Combine(lab.NewFolder("credentials"), "credentials");
        StsRegion = lab.Registries[0].Ecr.Region;
        Environment = new Dictionary<string, string>
        {
            ["BUILD_ROOT"] = Root,
            ["HOME"] = lab.NewFolder("home"),
            ["XDG_CONFIG_HOME"] = string.Empty,
            ["RUNNER_CREDENTIALS_FILE"] = CredentialsFile,
            ["ECR_REGISTRIES"] = string.Join(',', lab.Registries.Select(r => r.Host)),
            ["HELPER_PATH"] = lab.Images.Helper,
            // Whatever target a test runs, nothing is pulled (a pull would look up a public registry).
            ["IMAGE_PULL"] = "never",
            ["AWS_CA_BUNDLE"] = lab.CaPath,
            ["STS_ENDPOINT"] = $"https://sts.{StsRegion}.amazonaws.com",
            ["AWS_REGION"] = string.Empty,
            ["AWS_PROFILE"] = string.Empty,
        };
    }

    public string Root { get; }

    public string CredentialsFile { get; }

    public string StsRegion { get; }

    public Dictionary<string, string> Environment { get; }

    /// <summary>Everything every run printed, and every file the runs left under the state folder.</summary>
    public string Printed => _printed.ToString();

    /// <summary>Writes the credentials file (mode 0600) with the lab key, or the given values, under <paramref name="profile"/>.</summary>
    public void WriteCredentials(string? keyId = null, string? secret = null, string profile = "default", string prefix = "", string newline = "\n")
    {
        var text = $"{prefix}[{profile}]{newline}aws_access_key_id = {keyId ?? _lab.Key.AccessKeyId}{newline}aws_secret_access_key = {secret ?? _lab.Key.SecretAccessKey}{newline}region = {StsRegion}{newline}";
        File.WriteAllText(CredentialsFile, text);
        File.SetUnixFileMode(CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public async Task<ProcessResult> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), .. args], timeout.Token, Environment, workingDirectory: Root);
        _printed.Append(result.Output).Append(result.Error);
        var state = Path.Combine(Root, ".state");
        if (Directory.Exists(state))
        {
            foreach (var file in Directory.GetFiles(state, "*", SearchOption.AllDirectories))
            {
                _printed.Append(File.ReadAllText(file));
            }
        }

        return result;
    }
}
