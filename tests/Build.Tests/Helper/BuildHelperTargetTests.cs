using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Build.Helper;
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
        Assert.Contains("the version of HELPER_PATH /bin/busybox could not be read (it printed no version", output);
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper version unverified for linux/amd64 up to date", skipped);
    }

    [Fact]
    public void Path_source_with_a_helper_stamped_0_8_0_reports_0_8_0_everywhere_and_warns_once_about_HELPER_VERSION()
    {
        // Given a static helper that says it is 0.8.0, and HELPER_VERSION left at its default 0.12.0
        var helper = TinyElf.Helper(HelperPlatform.Amd64, "0.8.0").WriteTo(Path.Combine(_build.Root, "my-helper"));
        string[] path = ["--helper-source=path", "--helper-path=" + helper, "--helper-platforms=linux/amd64"];

        // When BuildHelper runs twice, then Status
        var (code, output) = Run(path);
        var (again, skipped) = Run(path);
        var (statusCode, status) = _build.RunWith(_build.FakeMachine("echo 'Cannot connect to the Docker daemon' >&2; exit 1\n", null, null), "--target=Status");

        // Then it is installed as 0.8.0, with one warning naming both versions, and every report says 0.8.0
        Assert.True(code == 0, output);
        var warning = $"HELPER_PATH {helper} reports version 0.8.0 (its -v says so), not HELPER_VERSION 0.12.0: it is used, and reported, as 0.8.0.";
        Assert.Single(output.Split('\n'), l => l.Contains(warning));
        Assert.Contains($"linux/amd64: {Amd64} (version 0.8.0,", output);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Helper, "manifest.json")));
        Assert.Equal("0.8.0", manifest.RootElement.GetProperty("version").GetString());
        Assert.Equal("0.12.0", manifest.RootElement.GetProperty("helperVersion").GetString());
        Assert.Equal("0.8.0", manifest.RootElement.GetProperty("binaries")[0].GetProperty("version").GetString());
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper 0.8.0 linux/amd64 up to date", skipped);
        Assert.DoesNotContain("reports version", skipped);
        Assert.True(statusCode == 0, status);
        Assert.Contains("helper       0.8.0 linux/amd64 (HELPER_SOURCE=path), built ", status);
        Assert.DoesNotContain("0.12.0", status);
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
        using var server = new ReleaseServer();
        server.Gate.Reset();
        var body = File.ReadAllBytes("/bin/busybox");
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login"] = body;
        server.Files["/releases/0.12.0/linux-amd64/docker-credential-ecr-login.sha256"] = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)));
        string[] download = ["--target=BuildHelper", "--helper-source=download", "--helper-platforms=linux/amd64", "--helper-download-url=" + server.BaseUrl];

        // The first run takes the lock and hangs in its download; the second starts only then, and the download goes on
        // only after the second has had ample time to reach the lock (its start-up is well under a second).
        using var first = _build.Start([], download);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (server.Requests.Count == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        using var second = _build.Start([], download);
        Thread.Sleep(TimeSpan.FromSeconds(5));
        server.Gate.Set();
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

    private static void Serve(ReleaseServer server, string arch, byte[] body, string version = "0.12.0")
    {
        server.Files[$"/releases/{version}/linux-{arch}/docker-credential-ecr-login"] = body;
        server.Files[$"/releases/{version}/linux-{arch}/docker-credential-ecr-login.sha256"] = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    [Fact]
    public void Download_source_fetches_every_platform_checks_the_hashes_and_versions_and_skips_next_time()
    {
        // Given a release folder with a helper per platform that says it is 0.12.0 (arm64's can only be read, not run, here)
        using var server = new ReleaseServer();
        var arm64 = TinyElf.Helper(HelperPlatform.Arm64, "0.12.0").Bytes();
        Serve(server, "amd64", TinyElf.Helper(HelperPlatform.Amd64, "0.12.0").Bytes());
        Serve(server, "arm64", arm64);

        // When BuildHelper downloads them, then runs again
        var (code, output) = Run("--helper-source=download", "--helper-download-url=" + server.BaseUrl);
        var requests = server.Requests.Count;
        var (again, skipped) = Run("--helper-source=download", "--helper-download-url=" + server.BaseUrl);

        // Then both are installed as 0.12.0 without a warning, and the second run skips with the versions read
        Assert.True(code == 0, output);
        Assert.DoesNotContain("WARNING", output.ToUpperInvariant());
        Assert.Equal(arm64, File.ReadAllBytes(Path.Combine(Helper, "linux-arm64", "docker-credential-ecr-login")));
        Assert.Contains("\"version\": \"0.12.0\"", File.ReadAllText(Path.Combine(Helper, "manifest.json")));
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper 0.12.0 linux/amd64,linux/arm64 up to date", skipped);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Theory]
    [InlineData("linux/amd64")]
    [InlineData("linux/arm64")]
    public void A_download_that_reports_another_version_than_its_folder_is_refused_and_nothing_is_installed(string platform)
    {
        // Given a mirror whose 0.12.0 folder holds a 0.11.0 helper (amd64's is run, arm64's read from its stamp)
        using var server = new ReleaseServer();
        var chosen = HelperPlatform.Parse(platform);
        Serve(server, chosen.Arch, TinyElf.Helper(chosen, "0.11.0").Bytes());

        // When BuildHelper downloads it
        var (code, output) = Run("--helper-source=download", "--helper-platforms=" + platform, "--helper-download-url=" + server.BaseUrl);

        // Then it is refused with the mirror to check, and nothing is left
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"the {platform} binary downloaded for HELPER_VERSION 0.12.0 from {server.BaseUrl.ToString().TrimEnd('/')} reports version 0.11.0", output);
        Assert.Contains("check HELPER_DOWNLOAD_URL", output);
        Assert.False(Directory.Exists(Helper));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_build.Root, ".state")));
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
    private Dictionary<string, string> FakeDocker(string startBody, string imageInspect = "echo sha256:0123", string pull = "exit 1", string? built = null)
    {
        // "docker cp <container>:/out/. <staging>" copies what the Go container would have built from the folder 'built'.
        var copyOut = built is null ? "echo ok" : $"case \"$2\" in *:/out/.) /bin/cp -R '{built}/.' \"$3\" ;; esac";
        var assets = Path.Combine(_build.Root, "assets", "helper");
        Directory.CreateDirectory(assets);
        File.Copy(Path.Combine(TestRepository.Root(), "assets", "helper", "build-helper.sh"), Path.Combine(assets, "build-helper.sh"), overwrite: true);
        return _build.FakeMachine(
            $$"""
            echo "$*" >> '{{_build.Root}}/docker.calls'
            case "$1" in
              version) echo "20.10.24 1.41 1.12 amd64" ;;
              image) {{imageInspect}} ;;
              pull) {{pull}} ;;
              cp) {{copyOut}} ;;
              volume|create|rm) echo ok ;;
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

    /// <summary>A folder laid out as the Go container's /out: a helper per platform, each saying it is <paramref name="version"/>.</summary>
    private string Built(string version)
    {
        var folder = Path.Combine(_build.Root, "built-" + version);
        foreach (var platform in HelperPlatform.All)
        {
            Directory.CreateDirectory(Path.Combine(folder, platform.Folder));
            TinyElf.Helper(platform, version).WriteTo(Path.Combine(folder, platform.Folder, "docker-credential-ecr-login"));
        }

        return folder;
    }

    [Fact]
    public void Build_source_records_the_version_stamped_into_each_platform_and_refuses_a_build_whose_stamp_did_not_take()
    {
        // Given a Go container that builds helpers stamped 0.12.0, and one whose helpers say 0.9.0
        var stamped = FakeDocker("exit 0", built: Built("0.12.0"));

        // When BuildHelper builds with each
        var (code, output) = _build.RunWith(stamped, "--target=BuildHelper");
        Assert.True(code == 0, output);
        var manifest = File.ReadAllText(Path.Combine(Helper, "manifest.json"));
        var (again, skipped) = _build.RunWith(stamped, "--target=BuildHelper");
        var (refusedCode, refused) = _build.RunWith(FakeDocker("exit 0", built: Built("0.9.0")), "--target=BuildHelper", "--helper-go-image=go:other");

        // Then the first is recorded with the versions read, the second skips, and the third is refused, the first kept
        Assert.True(code == 0, output);
        Assert.Equal(2, manifest.Split("\"version\": \"0.12.0\"").Length - 2);
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping task BuildHelper: helper 0.12.0 linux/amd64,linux/arm64 up to date", skipped);
        Assert.Equal(ExitCodes.Failed, refusedCode);
        Assert.Contains("reports version 0.9.0", refused);
        Assert.Contains("not the HELPER_VERSION 0.12.0 the build stamps into it; nothing was installed", refused);
        Assert.Contains("check HELPER_MODULE", refused);
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(Helper, "manifest.json")));
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
