using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Lab.Diagnose;

/// <summary>
/// Runners of other people's making, in containers of the lab's images: one with DOCKER_AUTH_CONFIG in its own
/// environment and no helper, one Alpine-like (musl only) with Debian's glibc helper, whose jobs get that helper too.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DiagnoseContainerTests(LabFixture lab, ITestOutputHelper output)
{
    private const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    private const string Secret = "S3CR3T-lab-registry-password";

    [Fact]
    public async Task DOCKER_AUTH_CONFIG_in_the_runner_process_environment_is_named_unused_and_a_missing_helper_is_named()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var cancel = timeout.Token;
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("gitlab-ci-token:" + Secret));

        // Given a runner container with DOCKER_AUTH_CONFIG (credHelpers and an auth) in its environment, and no helper
        var container = await StartAsync("env-auth", lab.Images.RunnerHost, cancel,
            "--env", $"DOCKER_AUTH_CONFIG={{\"credHelpers\":{{\"{Registry}\":\"ecr-login\"}},\"auths\":{{\"registry.gitlab.com\":{{\"auth\":\"{auth}\"}}}}}}");
        try
        {
            // When Diagnose looks at it with a config.toml whose entry has no DOCKER_AUTH_CONFIG
            var folder = lab.NewFolder("diagnose-env");
            var result = await DiagnoseAsync(folder, container, "environment = []\n  [runners.docker]\n    image = \"docker:29-cli\"\n", cancel);
            var text = result.Output + result.Error;
            output.WriteLine(text);

            // Then it says the runner does not use that variable, names the missing helper, and says the version is unknown
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"DOCKER_AUTH_CONFIG\s+FAIL\s+DOCKER_AUTH_CONFIG is set only in the environment of the runner process, which the runner does not read", text);
            Assert.Matches(@"docker-credential-ecr-login\s+FAIL\s+docker-credential-ecr-login is not on the PATH of the runner process in the container " + container, text);
            Assert.Matches(@"runner version\s+skip\s+unknown: no gitlab-runner", text);
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain(auth, text);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", container], CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_glibc_helper_in_a_musl_runner_and_in_musl_jobs_is_named_as_unable_to_run()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var cancel = timeout.Token;

        // Given an Alpine-like (musl only) runner container with Debian's glibc helper on its PATH, and jobs of the same image that get it mounted
        var container = await StartAsync("musl", lab.Images.Musl, cancel, "--volume", $"{lab.Images.Helper}:/usr/local/bin/docker-credential-ecr-login:ro");
        try
        {
            var folder = lab.NewFolder("diagnose-musl");
            File.WriteAllText(Path.Combine(folder, "config.json"), $"{{\"credHelpers\":{{\"{Registry}\":\"ecr-login\"}}}}\n");
            var entry = $$$"""
                environment = ["DOCKER_AUTH_CONFIG={\"credHelpers\":{\"{{{Registry}}}\":\"ecr-login\"}}"]
                  [runners.docker]
                    image = "{{{lab.Images.Musl}}}"
                    privileged = true
                    volumes = ["{{{folder}}}/config.json:/root/.docker/config.json:ro", "{{{lab.Images.Helper}}}:/usr/local/bin/docker-credential-ecr-login:ro"]
                """;

            // When Diagnose looks at it
            var result = await DiagnoseAsync(folder, container, entry, cancel);
            var text = result.Output + result.Error;
            output.WriteLine(text);

            // Then the runner's helper cannot run (and so voids DOCKER_AUTH_CONFIG), and the jobs' neither, shown by running it in the job image
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"docker-credential-ecr-login\s+FAIL\s+/usr/local/bin/docker-credential-ecr-login is on the runner's PATH but cannot run \(exit \d+: .*\): it is dynamically linked", text);
            Assert.Matches(@"every helper runs\s+FAIL\s+docker-credential-ecr-login \(exit \d+: .*\) cannot be run by the runner process", text);
            Assert.Matches(@"helper for jobs\s+FAIL\s+\S+ \(version 0\.6\.0\): it is dynamically linked .* in the job image \S+ it exited [1-9]", text);
            Assert.Empty((await Cli.DockerAsync("list Diagnose's containers", cancel, "ps", "-aq", "--filter", $"label=gitlab-runner-ecr.project={Project(folder)}")).Output.Trim());
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", container], CancellationToken.None);
        }
    }

    private async Task<string> StartAsync(string name, string image, CancellationToken cancel, params string[] options)
    {
        var container = $"{lab.RunId}-diagnose-{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        await Cli.DockerAsync("start a runner container of the user's own", cancel,
            ["run", "-d", "--pull", "never", "--name", container, "--label", $"{LabFixture.RunLabel}={lab.RunId}", "--label", LabFixture.Owner, "--network", lab.Network,
            .. options, "--entrypoint", "sh", image, "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]);
        return container;
    }

    /// <summary>Diagnose as a user runs it, with a config.toml of one entry in <paramref name="folder"/> and a state folder that must stay absent.</summary>
    private async Task<ProcessResult> DiagnoseAsync(string folder, string container, string entry, CancellationToken cancel)
    {
        var config = Path.Combine(folder, "config.toml");
        File.WriteAllText(config, $"concurrent = 1\n\n[[runners]]\n  name = \"own\"\n  url = \"https://gitlab.example.com\"\n  token = \"glrt-S3CR3T-lab-0001\"\n  executor = \"docker\"\n  {entry}\n");
        var before = DiagnoseLabTests.Snapshot(folder);
        var result = await ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), "--target=Diagnose"], cancel, new Dictionary<string, string>
        {
            ["BUILD_ROOT"] = LabImages.RepositoryRoot(),
            ["HOME"] = lab.NewFolder("home"),
            ["STATE_DIR"] = Path.Combine(folder, "state"),
            ["COMPOSE_PROJECT_NAME"] = Project(folder),
            ["DIAGNOSE_CONFIG"] = config,
            ["DIAGNOSE_CONTAINER"] = container,
            ["DIND_IMAGE"] = lab.Images.Dind,
        });
        Assert.Equal(before, DiagnoseLabTests.Snapshot(folder));
        Assert.False(Directory.Exists(Path.Combine(folder, "state")));
        Assert.DoesNotContain("S3CR3T", result.Output + result.Error);
        return result;
    }

    private string Project(string folder) => $"{lab.RunId}-{Path.GetFileName(folder)}";
}
