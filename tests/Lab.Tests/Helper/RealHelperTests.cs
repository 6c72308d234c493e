using System.Net;
using System.Text.Json;

namespace Lab.Helper;

/// <summary>
/// The real static helper the lab builds (upstream 0.8.0 through BuildHelper's archive source) answers <c>get</c>
/// against the ECR emulator on the host, in the glibc runner-host image and in the musl-only image, where Debian's
/// glibc helper cannot start. The emulator listens on 127.0.0.1 and the helper reaches it through
/// AWS_ENDPOINT_URL_ECR (honoured from 0.8.0 on), so these tests need no /etc/hosts entry; containers share the
/// host's network namespace for that loopback address only.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RealHelperTests : IAsyncLifetime
{
    private static readonly EcrRegistry Registry = LabIdentities.Main;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("real-helper-");
    private TestCertificateAuthority _ca = null!;
    private IssuedCertificate _server = null!;
    private AwsEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _ca = TestCertificateAuthority.Create("Real Helper Tests CA");
        _server = _ca.IssueServerCertificate(["localhost"], [IPAddress.Loopback]);
        _emulator = await AwsEmulator.StartNewAsync(new AwsEmulatorOptions
        {
            ServerCertificate = _server.Certificate,
            Keys = [LabIdentities.Runner],
            Registries = [Registry],
        });
        _ca.WriteCertificatePem(Path.Combine(_work.FullName, "ca.pem"));
        // CRLF and a non-default profile, as a credentials file edited on Windows would be.
        File.WriteAllText(
            Path.Combine(_work.FullName, "credentials"),
            $"[default]\r\naws_access_key_id = AKIDWRONG\r\naws_secret_access_key = wrong\r\n\r\n[runner]\r\naws_access_key_id = {LabIdentities.Runner.AccessKeyId}\r\naws_secret_access_key = {LabIdentities.Runner.SecretAccessKey}\r\n");
        Directory.CreateDirectory(Path.Combine(_work.FullName, "home"));
        // The images run as root and the folder is mounted read-only, so 0755 suffices and nothing leaves the machine.
        File.SetUnixFileMode(_work.FullName, (UnixFileMode)0b111_101_101);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _server.Dispose();
        _ca.Dispose();
        _work.Delete(recursive: true);
    }

    /// <summary>The helper's environment with <paramref name="folder"/> being where the work folder is seen.</summary>
    private Dictionary<string, string> HelperEnvironment(string folder) => new()
    {
        ["HOME"] = $"{folder}/home",
        ["AWS_ECR_DISABLE_CACHE"] = "true",
        ["AWS_SHARED_CREDENTIALS_FILE"] = $"{folder}/credentials",
        ["AWS_CONFIG_FILE"] = $"{folder}/no-config",
        ["AWS_PROFILE"] = "runner",
        ["AWS_CA_BUNDLE"] = $"{folder}/ca.pem",
        ["AWS_ENDPOINT_URL_ECR"] = _emulator.BaseAddress.ToString().TrimEnd('/'),
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private static void AssertToken(ProcessResult result, string where)
    {
        Assert.True(result.Succeeded, $"get {where} exited {result.ExitCode}: {result.Output} {result.Error}");
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal("AWS", json.RootElement.GetProperty("Username").GetString());
        Assert.Equal(Registry.Password, json.RootElement.GetProperty("Secret").GetString());
    }

    private async Task<ProcessResult> GetInImageAsync(string image, string helper, CancellationToken cancel)
    {
        var environment = HelperEnvironment("/lab").SelectMany(e => new[] { "--env", $"{e.Key}={e.Value}" });
        return await Cli.RunAsync("docker",
            ["run", "--rm", "-i", "--pull", "never", "--network", "host", "--tmpfs", "/lab/home",
             "--volume", $"{_work.FullName}:/lab:ro", "--volume", $"{helper}:/usr/local/bin/docker-credential-ecr-login:ro",
             .. environment, "--entrypoint", "/usr/local/bin/docker-credential-ecr-login", image, "get"],
            cancel, standardInput: Registry.Host + "\n");
    }

    [HelperArchiveFact]
    public async Task The_lab_helper_is_a_static_x86_64_binary_stamped_with_its_version()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var helper = await LabHelper.Amd64Async();

        var type = await Cli.RunAsync("file", ["-b", helper], timeout.Token);
        var version = await Cli.RunAsync(helper, ["-v"], timeout.Token);

        Assert.Contains("ELF 64-bit LSB executable, x86-64", type.Output);
        Assert.Contains("statically linked", type.Output);
        Assert.Matches(@"Version:\s+0\.8\.0", version.Output);
    }

    [HelperArchiveFact]
    public async Task The_lab_helper_gets_the_emulators_token_on_the_host_in_the_glibc_runner_host_and_in_the_musl_only_image()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var helper = await LabHelper.Amd64Async();
        var images = LabImages.Load();

        var host = await Cli.RunAsync(helper, ["get"], timeout.Token, HelperEnvironment(_work.FullName), Registry.Host + "\n", replaceEnvironment: true);
        var runnerHost = await GetInImageAsync(images.RunnerHost, helper, timeout.Token);
        var musl = await GetInImageAsync(images.Musl, helper, timeout.Token);
        var debianInMusl = await GetInImageAsync(images.Musl, images.Helper, timeout.Token);

        AssertToken(host, "on the host");
        AssertToken(runnerHost, "in the runner-host image");
        AssertToken(musl, "in the musl-only image");
        Assert.False(debianInMusl.Succeeded, "Debian's glibc helper unexpectedly ran in the musl-only image");
        var calls = _emulator.Requests.Snapshot().Where(r => r.AccessKeyId == LabIdentities.Runner.AccessKeyId && r.Succeeded).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal([Registry.AccountId], c.RegistryIds));
        // The SDK that 0.8.0 vendors (Debian's 0.6 helper sends an older one): the calls came from the lab helper.
        Assert.All(calls, c => Assert.Contains("aws-sdk-go-v2/1.26.1", c.UserAgent));
    }

    [HelperArchiveFact]
    public async Task Path_source_with_the_real_0_8_0_helper_and_the_default_HELPER_VERSION_reports_0_8_0_everywhere_and_warns_once()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var helper = await LabHelper.Amd64Async();
        var root = BuildHelperRun.PrepareRoot(Path.Combine(_work.FullName, "root"));
        // A new user's settings: their own helper, HELPER_VERSION left at its default (0.12.0).
        var settings = new Dictionary<string, string>
        {
            ["HELPER_SOURCE"] = "path", ["HELPER_PATH"] = helper, ["HELPER_PLATFORMS"] = "linux/amd64", ["COMPOSE_PROJECT_NAME"] = "ecrlab-helper-version",
        };

        // When BuildHelper runs twice, then Status
        var first = await BuildHelperRun.RunAsync(root, settings, timeout.Token);
        var second = await BuildHelperRun.RunAsync(root, settings, timeout.Token);
        var status = await Cli.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=Status"], timeout.Token,
            new Dictionary<string, string>(settings) { ["BUILD_ROOT"] = root, ["NO_COLOR"] = "1" });

        // Then the helper is installed and reported as the 0.8.0 it is, with one warning naming both versions
        Assert.True(first.Succeeded, BuildHelperRun.Printed(first));
        var warning = $"HELPER_PATH {helper} reports version 0.8.0 (its -v says so), not HELPER_VERSION 0.12.0";
        Assert.Single(BuildHelperRun.Printed(first).Split('\n'), l => l.Contains(warning, StringComparison.Ordinal));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".state", "helper", "manifest.json")));
        Assert.Equal("0.8.0", manifest.RootElement.GetProperty("version").GetString());
        Assert.Equal("0.8.0", manifest.RootElement.GetProperty("binaries")[0].GetProperty("version").GetString());
        Assert.Equal("0.12.0", manifest.RootElement.GetProperty("helperVersion").GetString());
        Assert.True(second.Succeeded, BuildHelperRun.Printed(second));
        Assert.Contains("Skipping task BuildHelper: helper 0.8.0 linux/amd64 up to date", BuildHelperRun.Printed(second));
        Assert.Contains("helper 0.8.0 linux/amd64 up to date", BuildHelperRun.Printed(second).Split('\n').Last(l => l.Contains("BuildHelper", StringComparison.Ordinal)));
        Assert.DoesNotContain("reports version", BuildHelperRun.Printed(second));
        Assert.True(status.Succeeded, status.Output + status.Error);
        Assert.Contains("helper       0.8.0 linux/amd64 (HELPER_SOURCE=path), built ", status.Output);
    }

    [Fact]
    public async Task Debians_helper_reads_as_the_0_6_0_its_v_and_its_stamp_say_not_the_libraries_0_6_4_its_version_verb_prints()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var debian = LabImages.Load().Helper;
        var context = Build.Host.CakeContextFactory.Create(new Cake.Core.CakeEnvironment(new Cake.Core.CakePlatform(), new Cake.Core.CakeRuntime()), new Cake.Core.Diagnostics.NullLog(), Build.Host.HostOptions.Parse([]));
        var reader = new Build.Helper.HelperVersionReader(new Build.Processes.CommandRunner(context, new Build.Secrets.Redactor(), timeout.Token));

        var verb = await Cli.RunAsync(debian, ["version"], timeout.Token, new Dictionary<string, string> { ["HOME"] = Path.Combine(_work.FullName, "home") });
        var read = reader.Read(debian, Build.Helper.HelperPlatform.Amd64);

        Assert.Equal("0.6.4", verb.Output.Trim());
        Assert.Equal(new Build.Helper.ReportedVersion("0.6.0", "its -v says so"), read);
        Assert.Equal("0.6.0", Build.Helper.GoVersionStamp.Read(debian));
    }

    [HelperArchiveFact]
    public async Task Path_source_refuses_debians_glibc_helper_and_accepts_the_lab_helper()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var helper = await LabHelper.Amd64Async();
        var root = BuildHelperRun.PrepareRoot(Path.Combine(_work.FullName, "root"));
        Dictionary<string, string> Settings(string path) => new()
        {
            ["HELPER_SOURCE"] = "path", ["HELPER_PATH"] = path, ["HELPER_PLATFORMS"] = "linux/amd64", ["HELPER_VERSION"] = LabHelper.Version,
        };

        var debian = await BuildHelperRun.RunAsync(root, Settings(LabImages.Load().Helper), timeout.Token);
        var real = await BuildHelperRun.RunAsync(root, Settings(helper), timeout.Token);

        Assert.Equal(1, debian.ExitCode);
        Assert.Contains("it is dynamically linked", BuildHelperRun.Printed(debian));
        Assert.Contains("cannot run in musl", BuildHelperRun.Printed(debian));
        Assert.True(real.Succeeded, BuildHelperRun.Printed(real));
        Assert.Equal(File.ReadAllBytes(helper), File.ReadAllBytes(Path.Combine(root, ".state", "helper", "linux-amd64", "docker-credential-ecr-login")));
    }
}
