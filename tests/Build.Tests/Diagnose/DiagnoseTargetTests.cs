using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Build.Tests.Host;

namespace Build.Tests.Diagnose;

/// <summary>
/// The Diagnose target as a user runs it (the build as its own process, the runner on this host): it changes nothing on
/// disk, calls no GitLab, prints no secret, exits 1 on a failing check and 0 otherwise, and with DIAGNOSE_FORMAT=json
/// puts one JSON document, and nothing else, on standard output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiagnoseTargetTests : IDisposable
{
    private const string GitLabAuth = "Z2l0bGFiLWNpLXRva2VuOlMzQ1IzVC1naXRsYWItcGFzc3dvcmQ=";
    private readonly BuildProcess _build = new();
    private readonly TcpListener _gitlab = new(IPAddress.Loopback, 0);

    public DiagnoseTargetTests() => _gitlab.Start();

    public void Dispose()
    {
        _gitlab.Stop();
        _build.Dispose();
    }

    [Fact]
    public void Diagnose_changes_nothing_calls_no_GitLab_shows_no_secret_and_exits_1_on_a_failing_check()
    {
        // Given a runner whose config.toml names a GitLab on a loopback port (which records any connection), holds a
        // runner token, an auth and AWS keys, and whose jobs get those keys
        var environment = Machine(
            $"\"DOCKER_AUTH_CONFIG={{\\\"credHelpers\\\":{{\\\"{DiagnoseFixture.Registry}\\\":\\\"ecr-login\\\"}},\\\"auths\\\":{{\\\"registry.gitlab.com\\\":{{\\\"auth\\\":\\\"{GitLabAuth}\\\"}}}}}}\", \"AWS_ACCESS_KEY_ID=AKIAS3CR3TTARGET01\", \"AWS_SECRET_ACCESS_KEY=S3CR3T/target/secret/0123456789\"",
            privileged: true);
        var before = Snapshot(_build.Root);

        // When Diagnose runs, as a table and as JSON
        var (code, output, error) = Run(environment);
        environment["DIAGNOSE_FORMAT"] = "json";
        var (jsonCode, json, jsonError) = Run(environment);

        // Then the jobs' keys fail a check (exit 1) in both, with no secret shown
        Assert.True(code == 1, output + error);
        Assert.Matches(@"what a job could read\s+FAIL\s+the entry's environment holds AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY", output);
        Assert.Contains("Diagnose: 1 check failed: dind.credentials (entry #1)", error);
        Assert.Equal(1, jsonCode);
        foreach (var printed in new[] { output, error, json, jsonError })
        {
            Assert.DoesNotContain(DiagnoseFixture.Marker, printed, StringComparison.Ordinal);
            Assert.DoesNotContain(GitLabAuth, printed, StringComparison.Ordinal);
        }

        // and standard output is one JSON document, the host's lines on standard error
        using var document = JsonDocument.Parse(json);
        var checks = document.RootElement.GetProperty("entries")[0].GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal("fail", checks.Single(c => c.GetProperty("id").GetString() == "dind.credentials").GetProperty("result").GetString());
        Assert.True(document.RootElement.GetProperty("failed").GetBoolean());
        Assert.Contains("Diagnose: 1 check failed", jsonError);

        // and nothing was written (no state folder either) and no connection reached the GitLab of config.toml
        Assert.Equal(before, Snapshot(_build.Root));
        Assert.False(Directory.Exists(Path.Combine(_build.Root, ".state")));
        Assert.False(_gitlab.Pending(), "Diagnose connected to the GitLab named in config.toml");
    }

    [Fact]
    public void Diagnose_exits_0_when_no_check_fails()
    {
        // Given a runner with the helper on its PATH, a credentials file and credHelpers, jobs without DinD
        var environment = Machine($"\"DOCKER_AUTH_CONFIG={{\\\"credHelpers\\\":{{\\\"{DiagnoseFixture.Registry}\\\":\\\"ecr-login\\\"}}}}\"", privileged: false);
        environment["DIAGNOSE_FORMAT"] = "json";

        // When Diagnose runs
        var (code, json, error) = Run(environment);

        // Then it passes: the helper's get gave a token, and the document says nothing failed
        Assert.True(code == 0, json + error);
        using var document = JsonDocument.Parse(json);
        Assert.False(document.RootElement.GetProperty("failed").GetBoolean());
        var get = document.RootElement.GetProperty("entries")[0].GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "executor.get:" + DiagnoseFixture.Registry);
        Assert.Equal("ok", get.GetProperty("result").GetString());
        Assert.DoesNotContain(DiagnoseFixture.Marker, json + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_without_DIAGNOSE_CONFIG_stops_before_any_task_with_exit_code_2()
    {
        var (code, output) = _build.Run("--target=Diagnose");

        Assert.Equal(2, code);
        Assert.Contains("DIAGNOSE_CONFIG is not set: set it to the runner's config.toml", output);
        Assert.Contains("(needed by Diagnose)", output);
    }

    [Fact]
    public void Diagnose_refuses_a_DIAGNOSE_CONFIG_that_is_not_a_file_and_a_format_it_does_not_know()
    {
        var (code, output) = _build.RunWith(new() { ["DIAGNOSE_CONFIG"] = _build.Root, ["DIAGNOSE_FORMAT"] = "yaml" }, "--target=Diagnose");

        Assert.Equal(2, code);
        Assert.Contains("DIAGNOSE_FORMAT = \"yaml\" from environment variable DIAGNOSE_FORMAT is not valid; accepted: text or json", output);
    }

    [Fact]
    public void A_config_toml_that_is_not_TOML_is_refused_with_its_line_and_column_and_no_secret()
    {
        var environment = Machine("\"A=b\"", privileged: false);
        var config = environment["DIAGNOSE_CONFIG"];
        File.WriteAllText(config, File.ReadAllText(config).Replace("token = \"glrt-S3CR3T-target-0001\"", "token = \"glrt-S3CR3T-target-0001\" S3CR3T-tail", StringComparison.Ordinal));

        var (code, output, error) = Run(environment);

        Assert.Equal(1, code);
        Assert.Matches(@"Diagnose: \S+config\.toml is not valid TOML: line 6, column \d+", error);
        Assert.Contains("fix: correct that line: the runner does not load this file either", error);
        Assert.DoesNotContain(DiagnoseFixture.Marker, output + error, StringComparison.Ordinal);
    }

    /// <summary>config.toml in a folder of the runner's, and this host as the runner's machine: a fake helper and docker (unreachable) on PATH, a HOME, a credentials file.</summary>
    private Dictionary<string, string> Machine(string environment, bool privileged)
    {
        var port = ((IPEndPoint)_gitlab.LocalEndpoint).Port;
        var config = Path.Combine(Directory.CreateDirectory(Path.Combine(_build.Root, "runner")).FullName, "config.toml");
        File.WriteAllText(config, $"""
            concurrent = 1

            [[runners]]
              name = "own"
              url = "http://127.0.0.1:{port}"
              token = "glrt-S3CR3T-target-0001"
              executor = "docker"
              environment = [{environment}]
              [runners.docker]
                image = "docker:29-cli"
                privileged = {(privileged ? "true" : "false")}
                volumes = ["/cache"]
            """);
        var machine = _build.FakeMachine("echo 'Cannot connect to the Docker daemon' >&2; exit 1\n", compose: null, dotnet: null);
        var helper = Path.Combine(_build.Root, "fake-bin", "docker-credential-ecr-login");
        File.WriteAllText(helper, DiagnoseFixture.FakeHelper + "\n");
        File.SetUnixFileMode(helper, (UnixFileMode)0b111_101_101);
        var credentials = Path.Combine(Directory.CreateDirectory(Path.Combine(_build.Root, "home", ".aws")).FullName, "credentials");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = AKIAS3CR3TTARGET02\naws_secret_access_key = S3CR3T/target/0123456789\n");
        machine["HOME"] = Path.Combine(_build.Root, "home");
        machine["DIAGNOSE_CONFIG"] = config;
        return machine;
    }

    private (int Code, string Output, string Error) Run(Dictionary<string, string> environment)
    {
        using var build = _build.Start(environment, "--target=Diagnose");
        return build.Finish(TimeSpan.FromSeconds(60));
    }

    /// <summary>Every file and folder under <paramref name="root"/>: its bytes (hashed), mode and last write time.</summary>
    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(root, path),
            path => $"{File.GetUnixFileMode(path)} {File.GetLastWriteTimeUtc(path):O} {(File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "folder")}");
}
