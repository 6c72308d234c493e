using System.Text.Json;

namespace Lab.Fixtures.Runs;

/// <summary>
/// The real build (Build.dll, as build.sh starts it) with the repository as its root and a state folder and compose
/// project of its own, set up the way a site behind a private network is: the lab's network as RUNNER_NETWORK, the
/// ECR API names as RUNNER_EXTRA_HOSTS, the lab CA as AWS_CA_BUNDLE, and the lab's runner-host image standing in for
/// gitlab/gitlab-runner (which cannot be pulled here). The helper is the real static one (LabHelper).
/// </summary>
public sealed class UpRun : IAsyncDisposable
{
    private readonly LabFixture _lab;

    public UpRun(LabFixture lab, string name)
    {
        _lab = lab;
        State = lab.NewFolder("state-" + name);
        Project = $"{lab.RunId}-{name}";
        CredentialsFile = Path.Combine(lab.NewFolder("credentials"), "credentials");
        lab.WriteCredentials(CredentialsFile, lab.Key.SecretAccessKey);
        Environment = new Dictionary<string, string>
        {
            ["BUILD_ROOT"] = LabImages.RepositoryRoot(),
            ["HOME"] = lab.NewFolder("home"),
            ["AWS_REGION"] = lab.Registries[0].Ecr.Region,
            ["NO_COLOR"] = "1",
            ["STATE_DIR"] = State,
            ["COMPOSE_PROJECT_NAME"] = Project,
            ["GITLAB_RUNNER_IMAGE"] = lab.Images.RunnerHost,
            ["IMAGE_PULL"] = "never",
            ["RUNNER_CREDENTIALS_FILE"] = CredentialsFile,
            ["CREDENTIALS_SOURCE"] = "file",
            ["AWS_PROFILE"] = "default",
            ["AWS_CA_BUNDLE"] = lab.CaPath,
            ["RUNNER_NETWORK"] = lab.Network,
            ["RUNNER_EXTRA_HOSTS"] = string.Join(',', lab.Registries.Select(r => $"api.ecr.{r.Ecr.Region}.amazonaws.com:{lab.Gateway}")),
            ["HELPER_SOURCE"] = "path",
            ["HELPER_VERSION"] = LabHelper.Version,
            ["HELPER_PLATFORMS"] = "linux/amd64",
            ["ECR_REGISTRIES"] = string.Join(',', lab.Registries.Select(r => r.Host)),
        };
    }

    public string State { get; }

    public string Project { get; }

    public string CredentialsFile { get; }

    public Dictionary<string, string> Environment { get; }

    /// <summary>The script Up writes to run the same Compose by hand.</summary>
    public string ComposeScript => Path.Combine(State, "compose", "compose");

    /// <summary>Stages the real static helper (BuildHelper with the path source), then runs Up alone.</summary>
    public async Task<ProcessResult> UpAsync(CancellationToken cancel)
    {
        Environment["HELPER_PATH"] = await LabHelper.Amd64Async();
        var helper = await RunAsync(cancel, "--target=BuildHelper", "--exclusive");
        return helper.Succeeded ? await RunAsync(cancel, "--target=Up", "--exclusive") : helper;
    }

    /// <summary>The Given of the tests after Register: Up (as <see cref="UpAsync"/>), then Register alone; a failure of either fails the test with its output.</summary>
    public async Task UpAndRegisterAsync(CancellationToken cancel)
    {
        var up = await UpAsync(cancel);
        Xunit.Assert.True(up.Succeeded, up.Output + up.Error);
        var register = await RunAsync(cancel, "--target=Register", "--exclusive");
        Xunit.Assert.True(register.Succeeded, register.Output + register.Error);
    }

    /// <summary>Registers with <paramref name="gitlab"/>: a runner created there (its token as GITLAB_RUNNER_TOKEN), jobs on the lab's docker CLI image.</summary>
    public EmulatedRunner UseGitLab(GitLabEmulator gitlab)
    {
        var runner = gitlab.AddRunner();
        Environment["GITLAB_URL"] = gitlab.Url.ToString();
        Environment["GITLAB_RUNNER_TOKEN"] = runner.Token;
        Environment["DOCKER_CLI_IMAGE"] = _lab.Images.DockerCli;
        return runner;
    }

    /// <summary>SmokeTest's pipeline mode against <paramref name="gitlab"/>: a project team/app and a personal token with the api scope, polled every 0.2 s.</summary>
    public (EmulatedProject Project, string Token) UsePipelineMode(GitLabEmulator gitlab)
    {
        var project = gitlab.AddProject("team/app");
        var token = gitlab.AddPersonalToken("api");
        Environment["GITLAB_TOKEN"] = token;
        Environment["GITLAB_PROJECT"] = project.PathWithNamespace;
        Environment["PIPELINE_POLL_INTERVAL"] = "0.2";
        return (project, token);
    }

    /// <summary>SmokeTest's stand-ins: the lab's DinD with the capability set (privileged is refused here), the lab CA for the registries, the first registry's private image.</summary>
    public void UseSmokeTestStandIns()
    {
        Environment["DIND_IMAGE"] = _lab.Images.Dind;
        Environment["DIND_PRIVILEGED"] = "false";
        Environment["REGISTRY_CA_BUNDLE"] = _lab.CaPath;
        Environment["PRIVATE_ECR_IMAGE"] = _lab.Registries[0].PrivateImage;
    }

    /// <summary>The whole chain a user runs: ./build.sh --target=Up (BuildHelper, Preflight, StageCredentials, Up).</summary>
    public async Task<ProcessResult> ChainAsync(CancellationToken cancel)
    {
        Environment["HELPER_PATH"] = await LabHelper.Amd64Async();
        return await RunAsync(cancel, "--target=Up");
    }

    public Task<ProcessResult> RunAsync(CancellationToken cancel, params string[] args) =>
        ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Build.dll"), .. args], cancel, Environment);

    /// <summary>The id of the running runner container of this project.</summary>
    public async Task<string> RunnerContainerAsync(CancellationToken cancel) =>
        (await Cli.DockerAsync("find the runner container", cancel, "ps", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={Project}", "--filter", "label=com.docker.compose.service=runner")).Output.Trim();

    public async Task<JsonElement> InspectAsync(string container, CancellationToken cancel) =>
        JsonDocument.Parse((await Cli.DockerAsync("inspect the runner", cancel, "inspect", container)).Output).RootElement[0];

    /// <summary>The helper as the runner process runs it: inside the container, with the container's own environment only.</summary>
    public static Task<ProcessResult> HelperGetAsync(string container, string registry, CancellationToken cancel) =>
        Cli.RunAsync("docker", ["exec", "-i", container, "docker-credential-ecr-login", "get"], cancel, standardInput: registry + "\n");

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        if (File.Exists(ComposeScript))
        {
            await Cli.RunAsync(ComposeScript, ["--profile", "server", "down", "--volumes", "--timeout", "5"], timeout.Token, Environment);
        }
    }
}
