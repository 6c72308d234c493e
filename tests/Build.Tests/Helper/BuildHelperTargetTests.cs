using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Build.Host;
using Build.Tests.Host;
using Tests.Shared;

namespace Build.Tests.Helper;

/// <summary>
/// The BuildHelper target run as its own process: the path and download sources end to end, the skip, a damaged
/// output rebuilt, a refused run leaving the previous output, and the Go container's steps against a fake docker.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildHelperTargetTests : IDisposable
{
    private readonly BuildProcess _build = new();

    public void Dispose() => _build.Dispose();

    private string Helper => Path.Combine(_build.Root, ".state", "helper");

    private string Amd64 => Path.Combine(Helper, "linux-amd64", "docker-credential-ecr-login");

    private (int Code, string Output) Run(params string[] args) => _build.Run(["--target=BuildHelper", .. args]);

    private static readonly string[] StaticPath = ["--helper-source=path", "--helper-path=/bin/busybox", "--helper-platforms=linux/amd64"];

    [Fact]
    public void Path_source_copies_a_static_binary_writes_the_manifest_and_the_second_run_skips()
    {
        var (code, output) = Run(StaticPath);
        var (again, skipped) = Run(StaticPath);

        Assert.True(code == 0, output);
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Amd64));
        var manifest = File.ReadAllText(Path.Combine(Helper, "manifest.json"));
        Assert.Contains("\"source\": \"path\"", manifest);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes("/bin/busybox"))), manifest);
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper 0.12.0 linux/amd64 up to date", skipped);
    }

    [Fact]
    public void A_glibc_dynamic_path_is_refused_with_the_reason_and_the_previous_output_stays()
    {
        Run(StaticPath);
        var before = File.ReadAllText(Path.Combine(Helper, "manifest.json"));

        var (code, output) = Run("--helper-source=path", "--helper-path=/bin/ls", "--helper-platforms=linux/amd64");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("HELPER_PATH /bin/ls cannot be used for linux/amd64: it is dynamically linked", output);
        Assert.Contains("cannot run in musl", output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(Helper, "manifest.json")));
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Amd64));
    }

    [Fact]
    public void A_path_for_the_wrong_machine_is_refused()
    {
        var (code, output) = Run("--helper-source=path", "--helper-path=/bin/busybox", "--helper-platforms=linux/arm64");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("not aarch64 (linux/arm64)", output);
        Assert.False(Directory.Exists(Helper));
    }

    [Fact]
    public void Two_runs_at_once_download_once_and_the_second_waits_for_the_first()
    {
        using var server = new ReleaseServer { Delay = TimeSpan.FromMilliseconds(1500) };
        var body = File.ReadAllBytes("/bin/busybox");
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login"] = body;
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login.sha256"] = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)));
        string[] download = ["--target=BuildHelper", "--helper-source=download", "--helper-platforms=linux/amd64", "--helper-download-url=" + server.BaseUrl];

        using var first = _build.Start([], download);
        using var second = _build.Start([], download);
        var (code1, out1, err1) = first.Finish(TimeSpan.FromSeconds(60));
        var (code2, out2, err2) = second.Finish(TimeSpan.FromSeconds(60));

        Assert.True(code1 == 0, out1 + err1);
        Assert.True(code2 == 0, out2 + err2);
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("Another BuildHelper run holds", out1 + out2);
        Assert.Contains("was built by another run meanwhile", out1 + out2);
        Assert.Equal(body, File.ReadAllBytes(Amd64));
        Assert.Equal(["helper"], Directory.GetDirectories(Path.GetDirectoryName(Helper)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_damaged_binary_or_manifest_is_detected_and_rebuilt()
    {
        Run(StaticPath);
        File.WriteAllBytes(Amd64, File.ReadAllBytes(Amd64)[..4096]);

        var (code, output) = Run(StaticPath);
        File.WriteAllText(Path.Combine(Helper, "manifest.json"), "{\"source\": \"pa");
        var (again, rebuilt) = Run(StaticPath);

        Assert.True(code == 0, output);
        Assert.DoesNotContain("Skipping task BuildHelper", output);
        Assert.True(again == 0, rebuilt);
        Assert.DoesNotContain("Skipping task BuildHelper", rebuilt);
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Amd64));
        Assert.Equal(["helper"], Directory.GetDirectories(Path.GetDirectoryName(Helper)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Download_source_fetches_every_platform_checks_the_hashes_and_skips_next_time()
    {
        using var server = new ReleaseServer();
        var arm64 = File.ReadAllBytes("/bin/busybox");
        arm64[18] = 183;
        foreach (var (arch, body) in new[] { ("amd64", File.ReadAllBytes("/bin/busybox")), ("arm64", arm64) })
        {
            server.Files[$"/releases/0.12.0/linux-{arch}/docker-credential-ecr-login"] = body;
            server.Files[$"/releases/0.12.0/linux-{arch}/docker-credential-ecr-login.sha256"] = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)));
        }

        var (code, output) = Run("--helper-source=download", "--helper-download-url=" + server.BaseUrl);
        var requests = server.Requests.Count;
        var (again, skipped) = Run("--helper-source=download", "--helper-download-url=" + server.BaseUrl);

        Assert.True(code == 0, output);
        Assert.Equal(arm64, File.ReadAllBytes(Path.Combine(Helper, "linux-arm64", "docker-credential-ecr-login")));
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper 0.12.0 linux/amd64,linux/arm64 up to date", skipped);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public void Download_with_a_bad_hash_fails_and_leaves_nothing()
    {
        using var server = new ReleaseServer();
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login"] = File.ReadAllBytes("/bin/busybox");
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login.sha256"] = Encoding.ASCII.GetBytes(new string('f', 64));

        var (code, output) = Run("--helper-source=download", "--helper-platforms=linux/amd64", "--helper-download-url=" + server.BaseUrl);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("does not match its .sha256", output);
        Assert.False(Directory.Exists(Helper));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_build.Root, ".state")));
    }

    [Fact]
    public void Help_lists_every_helper_setting_with_its_default()
    {
        var (code, output) = _build.Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("--helper-source / HELPER_SOURCE  default: build", output);
        foreach (var key in new[] { "HELPER_GO_IMAGE", "HELPER_MODULE", "HELPER_GOPROXY", "HELPER_ARCHIVE", "HELPER_DOWNLOAD_URL" })
        {
            Assert.Matches($@"--[a-z-]+ / {key}  default: \S+\n\s+\S", output);
        }
    }

    [Fact]
    public void An_unknown_platform_stops_the_run_before_any_task_naming_the_setting()
    {
        var (code, output) = Run("--helper-platforms=linux/s390x");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("HELPER_PLATFORMS = \"linux/s390x\" from argument --helper-platforms is not valid", output);
        Assert.False(Directory.Exists(Path.Combine(_build.Root, ".state")));
    }

    // The build source's Go container, against a fake docker that logs its calls.
    private Dictionary<string, string> FakeDocker(string startBody, string imageInspect = "echo sha256:0123", string pull = "exit 1")
    {
        var assets = Path.Combine(_build.Root, "assets", "helper");
        Directory.CreateDirectory(assets);
        File.Copy(Path.Combine(TestRepository.Root(), "assets", "helper", "build-helper.sh"), Path.Combine(assets, "build-helper.sh"));
        return _build.FakeMachine(
            $$"""
            echo "$*" >> '{{_build.Root}}/docker.calls'
            case "$1" in
              version) echo "20.10.24 1.41 1.12 amd64" ;;
              image) {{imageInspect}} ;;
              pull) {{pull}} ;;
              volume|create|cp|rm) echo ok ;;
              start) {{startBody}} ;;
            esac

            """,
            compose: null,
            dotnet: null);
    }

    private string Calls => File.ReadAllText(Path.Combine(_build.Root, "docker.calls"));

    [Fact]
    public void Build_source_runs_go_install_in_a_labelled_offline_container_and_removes_it_when_go_fails()
    {
        var fake = FakeDocker("echo 'go: example.test/helper/ecr-login/cli/docker-credential-ecr-login@v0.12.0: reading file:///proxy/example.test/helper/ecr-login/@v/v0.12.0.info: no such file or directory'; exit 1");

        var (code, output) = _build.RunWith(fake, "--target=BuildHelper", "--helper-module=example.test/helper", "--helper-goproxy=file:///proxy", "--helper-go-image=go:test");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("go install example.test/helper/ecr-login/cli/docker-credential-ecr-login@v0.12.0 in go:test failed (exit 1); Go said:", output);
        Assert.Contains("v0.12.0.info: no such file or directory", output);
        Assert.Contains("check HELPER_VERSION", output);
        var create = Calls.Split('\n').Single(l => l.StartsWith("create "));
        Assert.Contains("--pull never", create);
        Assert.Contains("--network none", create);
        Assert.Contains("--label gitlab-runner-ecr.project=gitlab-runner-ecr --label gitlab-runner-ecr.role=helper-build", create);
        Assert.Contains("--volume /proxy:/proxy:ro", create);
        Assert.Contains("--env HELPER_PLATFORMS=linux/amd64 linux/arm64 --entrypoint sh go:test /build-helper.sh", create);
        Assert.Matches(@"\nrm --force --volumes gitlab-runner-ecr-helper-build-[0-9a-f]{8}\n", Calls);
        Assert.False(Directory.Exists(Helper));
    }

    [Fact]
    public void A_go_image_that_is_missing_and_cannot_be_pulled_is_named_with_the_fix()
    {
        var fake = FakeDocker("exit 0", imageInspect: "exit 1", pull: "echo 'Error response from daemon: pull access denied for go, repository does not exist' >&2; exit 1");

        var (code, output) = _build.RunWith(fake, "--target=BuildHelper", "--helper-go-image=go:missing");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("HELPER_GO_IMAGE go:missing: it is not on this machine and could not be pulled", output);
        Assert.Contains("pull access denied", output);
        Assert.DoesNotContain("create ", Calls);
    }

    [Fact]
    public void With_image_pull_never_a_missing_go_image_is_an_error_and_nothing_is_pulled()
    {
        var fake = FakeDocker("exit 0", imageInspect: "exit 1", pull: "echo pulled");

        var (code, output) = _build.RunWith(fake, "--target=BuildHelper", "--helper-go-image=go:missing", "--image-pull=never");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("HELPER_GO_IMAGE go:missing: it is not on this machine, and IMAGE_PULL=never", output);
        Assert.DoesNotContain("\npull ", "\n" + Calls);
        Assert.DoesNotContain("create ", Calls);
    }

    [Fact]
    public void Docker_daemon_down_names_the_fix_and_the_sources_that_need_no_docker()
    {
        var fake = FakeDocker("exit 0");
        File.WriteAllText(Path.Combine(_build.Root, "fake-bin", "docker"), "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n");

        var (code, output) = _build.RunWith(fake, "--target=BuildHelper");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("the Docker daemon, which the build source compiles in, is not reachable: Cannot connect", output);
        Assert.Contains("HELPER_SOURCE=download or path", output);
    }

    [Fact]
    public async Task Ctrl_c_during_the_build_removes_the_container_and_exits_130()
    {
        var started = Path.Combine(_build.Root, "started");
        var fake = FakeDocker($"echo > '{started}'; exec /bin/sleep 60");
        using var build = _build.Start(fake, "--target=BuildHelper");
        var waited = Stopwatch.StartNew();
        while (!File.Exists(started))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the build never started the container");
            await Task.Delay(20);
        }

        using (var kill = Process.Start("kill", ["-INT", build.Process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        var (code, output, error) = build.Finish(TimeSpan.FromSeconds(30));
        Assert.True(code == ExitCodes.Cancelled, output + error);
        Assert.Matches(@"\nrm --force --volumes gitlab-runner-ecr-helper-build-[0-9a-f]{8}\n", Calls);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_build.Root, ".state")));
    }
}
