using System.Diagnostics;
using System.Text.Json;

namespace Lab.Helper;

/// <summary>
/// BuildHelper's build source for real: go install in the lab's Go image (Debian's Go 1.19) from a file:// module
/// proxy serving <see cref="FixtureModuleProxy"/>, offline (--network none), for linux/amd64 and linux/arm64.
/// Also the faults a user meets there: a version the proxy does not have, a Go image that cannot be pulled, Ctrl-C.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BuildSourceTests : IDisposable
{
    // Stable, so the Go cache volume carries over between runs; removed by the lab teardown with the project label.
    private const string Project = "ecrlab-helper-build";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("build-source-");

    private readonly string _goProxy;

    public BuildSourceTests()
    {
        File.SetUnixFileMode(_work.FullName, (UnixFileMode)0b111_101_101);
        _goProxy = FixtureModuleProxy.Write(Path.Combine(_work.FullName, "goproxy"));
    }

    public void Dispose() => _work.Delete(recursive: true);

    private string Root => BuildHelperRun.PrepareRoot(Path.Combine(_work.FullName, "root"));

    private string Output => Path.Combine(_work.FullName, "root", ".state", "helper");

    private Dictionary<string, string> Settings(string version = FixtureModuleProxy.Version) => new()
    {
        ["COMPOSE_PROJECT_NAME"] = Project,
        ["HELPER_SOURCE"] = "build",
        ["HELPER_MODULE"] = FixtureModuleProxy.Module,
        ["HELPER_VERSION"] = version,
        ["HELPER_GOPROXY"] = _goProxy,
        ["HELPER_GO_IMAGE"] = LabImages.Load().Go,
    };

    /// <summary>Container events of the project's label between two instants, from the daemon itself.</summary>
    private static async Task<ProcessResult> RunInImageAsync(string image, string binary, string verb, CancellationToken cancel, string? input = null) =>
        await Cli.RunAsync("docker",
            ["run", "--rm", "-i", "--pull", "never", "--network", "none", "--volume", $"{binary}:/usr/local/bin/docker-credential-ecr-login:ro",
             "--entrypoint", "/usr/local/bin/docker-credential-ecr-login", image, verb],
            cancel, standardInput: input);

    [Fact]
    public async Task Build_source_installs_both_platforms_statically_then_a_second_run_starts_no_container()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var images = LabImages.Load();
        var root = Root;
        var settings = Settings();

        // The daemon keeps only its last 256 events for a later query, which other tests running beside this one fill:
        // the project's container events are streamed while both runs go.
        var firstStart = DateTimeOffset.UtcNow;
        using var events = ChildProcess.Start("docker", ["events", "--since", firstStart.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--filter", "type=container", "--filter", $"label=gitlab-runner-ecr.project={Project}", "--format", "{{.TimeNano}} {{.Action}}"]);
        var first = await BuildHelperRun.RunAsync(root, settings, timeout.Token);
        var firstEnd = DateTimeOffset.UtcNow;
        var second = await BuildHelperRun.RunAsync(root, settings, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
        events.Process.Kill();
        var streamed = (await events.FinishAsync(timeout.Token)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2)).Select(parts => (At: long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), Action: parts[1])).ToList();
        var firstEndNanos = firstEnd.ToUnixTimeMilliseconds() * 1_000_000;

        Assert.True(first.Succeeded, BuildHelperRun.Printed(first));
        var amd64 = Path.Combine(Output, "linux-amd64", "docker-credential-ecr-login");
        var arm64Type = await Cli.RunAsync("file", ["-b", Path.Combine(Output, "linux-arm64", "docker-credential-ecr-login")], timeout.Token);
        Assert.Contains("ELF 64-bit LSB executable, ARM aarch64", arm64Type.Output);
        Assert.Contains("statically linked", arm64Type.Output);
        foreach (var image in new[] { images.Musl, images.RunnerHost })
        {
            var version = await RunInImageAsync(image, amd64, "version", timeout.Token);
            var get = await RunInImageAsync(image, amd64, "get", timeout.Token, "123456789012.dkr.ecr.us-east-1.amazonaws.com\n");
            Assert.True(version.Succeeded, $"{image}: {version.Output} {version.Error}");
            Assert.Equal($"docker-credential-ecr-login ({FixtureModuleProxy.Module}) {FixtureModuleProxy.Version}", version.Output.Trim());
            Assert.True(get.Succeeded, $"{image}: {get.Output} {get.Error}");
            Assert.Equal(FixtureModuleProxy.Token, JsonDocument.Parse(get.Output).RootElement.GetProperty("Secret").GetString());
        }

        Assert.True(second.Succeeded, BuildHelperRun.Printed(second));
        Assert.Contains($"Skipping task BuildHelper: helper {FixtureModuleProxy.Version} linux/amd64,linux/arm64 up to date", BuildHelperRun.Printed(second));
        Assert.Contains("create", streamed.Where(e => e.At < firstEndNanos).Select(e => e.Action));
        Assert.DoesNotContain(streamed, e => e.At >= firstEndNanos);
        var leftovers = await Cli.DockerAsync("list containers", timeout.Token, "ps", "-aq", "--filter", $"label=gitlab-runner-ecr.project={Project}");
        Assert.Equal(string.Empty, leftovers.Output.Trim());

        // A version the proxy does not have: Go's own words, the setting to fix, and the output as it was.
        var manifest = File.ReadAllText(Path.Combine(Output, "manifest.json"));
        var missing = await BuildHelperRun.RunAsync(root, Settings("0.0.9"), timeout.Token);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Go said:", BuildHelperRun.Printed(missing));
        Assert.Contains("v0.0.9", BuildHelperRun.Printed(missing));
        Assert.Contains("check HELPER_VERSION", BuildHelperRun.Printed(missing));
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(Output, "manifest.json")));
    }

    [Fact]
    public async Task A_go_image_that_is_missing_and_cannot_be_pulled_fails_naming_HELPER_GO_IMAGE()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // A registry on a closed loopback port: the pull fails at once and nothing leaves the machine.
        // IMAGE_PULL=missing even when the run's environment says never: this test is about the failed pull.
        var settings = new Dictionary<string, string>(Settings()) { ["HELPER_GO_IMAGE"] = "127.0.0.1:9/ecrlab/no-such-go:1", ["IMAGE_PULL"] = "missing" };

        var result = await BuildHelperRun.RunAsync(Root, settings, timeout.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HELPER_GO_IMAGE 127.0.0.1:9/ecrlab/no-such-go:1: it is not on this machine and could not be pulled", BuildHelperRun.Printed(result));
        Assert.False(Directory.Exists(Output));
    }

    [HelperArchiveFact]
    public async Task Ctrl_c_during_a_real_build_removes_the_container_and_keeps_no_output()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        const string project = "ecrlab-helper-ctrlc";
        var root = Root;
        var settings = new Dictionary<string, string>(LabHelper.Settings(root)) { ["COMPOSE_PROJECT_NAME"] = project };
        using var build = ChildProcess.Start(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=BuildHelper"], root,
            new Dictionary<string, string>(settings) { ["BUILD_ROOT"] = root });
        string running;
        do
        {
            await Task.Delay(200, timeout.Token);
            running = (await Cli.DockerAsync("find the build container", timeout.Token, "ps", "-q", "--filter", $"label=gitlab-runner-ecr.project={project}")).Output.Trim();
        }
        while (running.Length == 0 && !build.Process.HasExited);

        using (var kill = Process.Start("kill", ["-INT", build.Process.Id.ToString()]))
        {
            await kill.WaitForExitAsync(timeout.Token);
        }

        var finished = await build.FinishAsync(timeout.Token);
        var left = await Cli.DockerAsync("list containers", timeout.Token, "ps", "-aq", "--filter", $"label=gitlab-runner-ecr.project={project}");
        Assert.True(running.Length > 0, "the build container was never seen running: " + finished.Output + finished.Error);
        Assert.Equal(130, finished.ExitCode);
        Assert.Equal(string.Empty, left.Output.Trim());
        Assert.False(Directory.Exists(Path.Combine(root, ".state", "helper")));
        await Cli.RunAsync("docker", ["volume", "rm", project + "-helper-go-cache"], timeout.Token);
    }
}
