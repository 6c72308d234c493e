using Build.Aws;
using Build.Diagnose;
using Build.Helper;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;
using Build.Tests.Helper;
using DirectoryPath = Cake.Core.IO.DirectoryPath;

namespace Build.Tests.Diagnose;

/// <summary>
/// A runner this build set up diagnoses clean: the config.toml Register writes (helper mode: DOCKER_AUTH_CONFIG with
/// credHelpers, the DinD config.json, the helper and credentials mounted into jobs), with the files it names on disk,
/// and the runner container Up starts (its environment from RunnerCredentials and compose.yaml, the helper at
/// /usr/local/bin). The container is a test double here (the helper's get is the lab's to prove, against the real
/// container): what is checked is that nothing Register and Up write trips a check.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RegisterWrittenConfigTests : IDisposable
{
    private const string Registry = DiagnoseFixture.Registry;
    private readonly string _dir = Directory.CreateTempSubdirectory("diagnose-register-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_runner_Register_and_Up_set_up_has_no_failing_check_and_only_the_jobs_key_warning()
    {
        // Given the files Register writes and mounts, and its config.toml
        var (settings, credentials, helper) = Setup();
        var dindConfig = Path.Combine(_dir, "state", "runner", "dind", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(dindConfig)!);
        File.WriteAllText(dindConfig, DockerAuthConfig.File(settings.Aws.Registries.Select(r => r.Host), settings.Helper.UseCredsStore));
        var config = Path.Combine(_dir, "state", "runner", "config", "config.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, ConfigToml.Merge(null, RunnerEntry.For(settings, credentials, new Secret("glrt-S3CR3T-register-0001"), helper, dindConfig)));

        // When Diagnose looks at it with the runner container Up starts
        using var fixture = DiagnoseFixture.Copy("06-dind-jobs-get-no-auth");
        var redactor = fixture.Redactor;
        var entries = RunnerConfigFile.Read(config, redactor);
        var report = fixture.Diagnosis(config).Diagnose(entries, new UpRunnerContainer(credentials, helper), null, "not asked", DateTimeOffset.UtcNow);

        // Then nothing fails; the jobs' readable key is the one warning (helper mode's threat model); the rest is ok or skipped with a reason
        var shown = report.Table(redactor);
        Assert.False(report.Failed, shown);
        Assert.Equal(["dind.credentials"], report.All.Where(f => f.Result == Verdict.Warn).Select(f => f.Id));
        Assert.Equal(["engine.api"], report.All.Where(f => f.Result == Verdict.Skip).Select(f => f.Id));
        Assert.Contains($"executor.get:{Registry}", report.All.Where(f => f.Result == Verdict.Ok).Select(f => f.Id));
        Assert.DoesNotContain(DiagnoseFixture.Marker, shown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runner_Register_set_up_in_token_mode_has_no_failing_check_and_its_jobs_hold_tokens_only()
    {
        // Given config.toml as Register writes it in token mode (the default), and the refresher's config.json of auths
        var (settings, credentials, helper) = Setup("token");
        var state = Build.State.StateLayout.Of(settings);
        Directory.CreateDirectory(state.DindTokenDocker);
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"AWS:{DiagnoseFixture.Marker}-token-0001"));
        File.WriteAllText(state.DindTokenConfig, $"{{\"auths\":{{\"{Registry}\":{{\"auth\":\"{auth}\"}}}}}}\n");
        var config = state.ConfigToml;
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, ConfigToml.Merge(null, RunnerEntry.For(settings, credentials, new Secret("glrt-S3CR3T-register-0002"), helper, state.DindConfig)));

        // When Diagnose looks at it with the runner container Up starts
        using var fixture = DiagnoseFixture.Copy("06-dind-jobs-get-no-auth");
        var redactor = fixture.Redactor;
        var report = fixture.Diagnosis(config).Diagnose(RunnerConfigFile.Read(config, redactor), new UpRunnerContainer(credentials, helper), null, "not asked", DateTimeOffset.UtcNow);

        // Then nothing fails or warns: the jobs hold the refresher's short-lived tokens, no key and no helper
        var shown = report.Table(redactor);
        Assert.False(report.Failed, shown);
        Assert.Empty(report.All.Where(f => f.Result == Verdict.Warn).Select(f => f.Id));
        Assert.Contains("short-lived", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(DiagnoseFixture.Marker, shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_given_a_read_only_folder_of_short_lived_tokens_and_no_credentials_read_as_holding_tokens_only()
    {
        // Given an entry of a runner of the user's own shaped as token mode gives jobs (written by hand): a
        // read-only folder with a config.json of auths for the registry, DOCKER_CONFIG pointing at it, no helper, no credentials
        using var fixture = DiagnoseFixture.Copy("06-dind-jobs-get-no-auth");
        var tokens = Directory.CreateDirectory(Path.Combine(fixture.Dir, "tokens")).FullName;
        var expires = DateTimeOffset.UtcNow.AddHours(11);
        var password = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{{\"payload\":\"{DiagnoseFixture.Marker}\",\"expiration\":{expires.ToUnixTimeSeconds()}}}"));
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("AWS:" + password));
        File.WriteAllText(Path.Combine(tokens, "config.json"), $"{{\"auths\":{{\"{Registry}\":{{\"auth\":\"{auth}\"}}}}}}\n");
        File.WriteAllText(fixture.ConfigPath, File.ReadAllText(fixture.ConfigPath)
            .Replace("environment = [", "environment = [\"DOCKER_CONFIG=/etc/gitlab-runner-ecr/docker\", ", StringComparison.Ordinal)
            .Replace("volumes = [", $"volumes = [\"{tokens}:/etc/gitlab-runner-ecr/docker:ro\", ", StringComparison.Ordinal));

        // When Diagnose runs
        var report = fixture.Diagnosis().Run(DateTimeOffset.UtcNow);

        // Then the DinD level says the jobs hold short-lived tokens only, need no helper, and nothing else reaches them
        var dind = report.Entries[0].Findings.Where(f => f.Id.StartsWith("dind.", StringComparison.Ordinal)).ToDictionary(f => f.Id);
        var shown = report.Table(fixture.Redactor);
        Assert.True(dind.Values.All(f => f.Result == Verdict.Ok), shown);
        Assert.Contains($"short-lived ECR tokens only ({Registry} until {expires.UtcDateTime:yyyy-MM-dd HH:mm}Z)", dind["dind.docker-config"].Cause);
        Assert.Equal("the jobs' docker config names no ecr-login: they need no helper", dind["dind.helper"].Cause);
        Assert.Equal("jobs hold short-lived tokens only: no AWS credentials, no helper", dind["dind.credentials"].Cause);
        Assert.DoesNotContain(auth, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(password, shown, StringComparison.Ordinal);
    }

    private (BuildSettings Settings, RunnerCredentials Credentials, string Helper) Setup(string dindAuth = "helper")
    {
        var credentialsFile = Path.Combine(_dir, "aws", "credentials");
        Directory.CreateDirectory(Path.GetDirectoryName(credentialsFile)!);
        File.WriteAllText(credentialsFile, $"[default]\naws_access_key_id = AKIA{DiagnoseFixture.Marker}REGISTER1\naws_secret_access_key = {DiagnoseFixture.Marker}/register/0123456789\n");
        var values = new Dictionary<string, string>
        {
            ["STATE_DIR"] = Path.Combine(_dir, "state"),
            ["RUNNER_CREDENTIALS_FILE"] = credentialsFile,
            ["ECR_REGISTRIES"] = Registry,
            ["GITLAB_URL"] = "https://gitlab.example.com",
            ["DIND_AUTH"] = dindAuth,
        };
        var settings = BuildSettings.Load(new DirectoryPath(_dir), new DirectoryPath(_dir), new Dictionary<string, string>(), values.GetValueOrDefault, null);
        var helper = Path.Combine(_dir, "state", "helper", "linux-amd64", "docker-credential-ecr-login");
        Directory.CreateDirectory(Path.GetDirectoryName(helper)!);
        TinyElf.Helper(HelperLocation.Host, "0.12.0").WriteTo(helper);
        return (settings, RunnerCredentials.For(settings, values.GetValueOrDefault), helper);
    }

    /// <summary>The runner container as Up starts it: RunnerCredentials.Runner's environment and mounts, compose.yaml's cache folder and helper mount.</summary>
    private sealed class UpRunnerContainer(RunnerCredentials credentials, string helper) : IRunnerProcess
    {
        private const string HelperTarget = "/usr/local/bin/docker-credential-ecr-login";

        public string Where => "in the container runner";

        public bool InContainer => true;

        public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(credentials.Runner.Environment)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["AWS_ECR_CACHE_DIR"] = "/var/cache/ecr-login",
        };

        public string? Home => "/root";

        public int? UserId => 0;

        public HelperPlatform? Platform => HelperLocation.Host;

        public string? Which(string program) => program == Path.GetFileName(HelperTarget) ? HelperTarget : null;

        public FoundHelper Inspect(string path) => new(path, true, null, GoVersionStamp.Read(helper), StaticElf.Problem(helper, HelperLocation.Host));

        public string? ReadFile(string path) => null;

        public bool Readable(string path) => credentials.Runner.Mounts.Any(m => m.Target == path && File.Exists(m.Source));

        public bool? CanWrite(string folder) => folder == "/var/cache/ecr-login";

        public string? RunnerVersionText() => "Version:      19.3.0\nGit revision: 0\n";

        public HelperAnswer? Get(string path, string host) => new(true, string.Empty, null);
    }
}
