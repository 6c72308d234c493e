using Build.Helper;

namespace Lab.Fixtures.Runs;

/// <summary>
/// The real build (Build.dll) running <c>--target=Register --exclusive</c> against a <see cref="GitLabEmulator"/>, in a
/// root and state folder of its own: a staged helper output (a stand-in file with a matching manifest, since Register
/// only mounts it) and the instance-role credentials source, so no Docker and no AWS are needed.
/// </summary>
public sealed class RegisterRun : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("register-run-");

    public RegisterRun(GitLabEmulator gitlab)
    {
        State = Path.Combine(_root.FullName, ".state");
        var helper = HelperOutput.For(Build.Settings.BuildSettings.Load(
            new Cake.Core.IO.DirectoryPath(_root.FullName), new Cake.Core.IO.DirectoryPath(_root.FullName), new Dictionary<string, string>(), n => n == "STATE_DIR" ? State : null, null));
        var binary = Path.Combine(helper.Directory, "linux-amd64", HelperOutput.BinaryName);
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.WriteAllText(binary, "stand-in helper\n");
        File.WriteAllText(helper.ManifestPath, new HelperManifest
        {
            Source = "path",
            Version = "0.8.0",
            Origin = binary,
            CreatedAt = DateTimeOffset.UtcNow,
            Binaries = [new HelperBinary("linux/amd64", Path.Combine("linux-amd64", HelperOutput.BinaryName), FileHash.Sha256(binary), new FileInfo(binary).Length)],
        }.ToJson());
        Environment = new Dictionary<string, string>
        {
            ["BUILD_ROOT"] = _root.FullName,
            ["HOME"] = _root.FullName,
            ["NO_COLOR"] = "1",
            ["STATE_DIR"] = State,
            ["GITLAB_URL"] = gitlab.Url.ToString(),
            ["CREDENTIALS_SOURCE"] = "instance-role",
            ["AWS_CA_BUNDLE"] = string.Empty,
            ["AWS_REGION"] = string.Empty,
            ["ECR_REGISTRIES"] = "111111111111.dkr.ecr.eu-west-1.amazonaws.com,222222222222.dkr.ecr.us-east-2.amazonaws.com",
            ["DOCKER_CLI_IMAGE"] = "lab/docker-cli:1",
            ["GITLAB_RUNNER_TOKEN"] = string.Empty,
            ["GITLAB_TOKEN"] = string.Empty,
            ["GITLAB_REGISTRATION_TOKEN"] = string.Empty,
            ["GITLAB_PROJECT"] = string.Empty,
        };
    }

    public string State { get; }

    public Dictionary<string, string> Environment { get; }

    public string ConfigDirectory => Path.Combine(State, "runner", "config");

    public string ConfigFile => Path.Combine(ConfigDirectory, "config.toml");

    public string BackupDirectory => Path.Combine(State, "runner", "backups");

    public Task<ProcessResult> RegisterAsync(CancellationToken cancel) =>
        ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=Register", "--exclusive"], cancel, Environment);

    public void Dispose() => _root.Delete(recursive: true);
}
