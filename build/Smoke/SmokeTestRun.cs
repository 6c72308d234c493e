using System.Diagnostics;
using System.Security.Cryptography;
using Build.Docker;
using Build.GitLab;
using Build.Runner;
using Build.Secrets;
using Build.Settings;

namespace Build.Smoke;

/// <summary>
/// SmokeTest's authentication probe: writes the example pipeline, reads the config.toml Register wrote, runs the
/// executor level and the DinD level for each configured image (private, ECR Public, pull-through: one row per image
/// and level), removes everything it made, and writes the summary table and JUnit XML.
/// </summary>
/// <param name="root">The repository root: the example pipeline's template is there.</param>
/// <param name="environment">The process environment (DOCKER_HOST and its TLS: where the Engine API pull goes).</param>
/// <param name="runGitLab">The run's GitLab, asked after the probes: its pipeline mode runs when it has a token and a project.</param>
/// <param name="claimState">Makes sure the build may write into STATE_DIR, before SmokeTest first writes there.</param>
/// <param name="fleet">FLEET=aws: both levels on a worker of the group instead of this machine's daemon.</param>
public sealed class SmokeTestRun(
    BuildSettings settings, State.StateLayout state, string root, Func<string, string?> environment, DockerCli docker, Redactor redactor,
    Func<EffectiveGitLab> runGitLab, Action claimState, Action<string> info, Action<string> warn, FleetLevels? fleet = null)
{
    public string ResultDirectory => Path.GetDirectoryName(state.SmokeTestResult)!;

    public string JUnitFile => state.SmokeTestResult;

    public async Task<SmokeSummary> RunAsync(CancellationToken cancel)
    {
        _ = settings.Aws.PrivateImage
            ?? throw new BuildFailure("PRIVATE_ECR_IMAGE is not set", "set PRIVATE_ECR_IMAGE (in .env.local or the environment) to a private image in your ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest");
        var subjects = SmokeSubject.From(settings);

        // A result of an earlier run must not stand for this one if this one stops midway (Ctrl-C, a crash).
        claimState();
        Directory.CreateDirectory(ResultDirectory);
        Files.AtomicFile.Write(JUnitFile, SmokeSummary.Unfinished(DateTimeOffset.UtcNow), Files.AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var pipelineFile = ExamplePipeline.Write(root, settings);
        info($"Example pipeline written to {pipelineFile}");

        var job = JobSettings.Read(state.ConfigToml, settings.Runner.Name);
        foreach (var needed in fleet is null ? new[] { settings.Runner.DindImage.ToString(), job.Image }.Distinct() : [])
        {
            if (docker.EnsureImage(needed, settings.PullMissingImages, info) is { } why)
            {
                throw new BuildFailure($"the image {needed} is needed for the DinD level, but {why}", "pull or load it (docker pull / docker load), or set IMAGE_PULL=missing");
            }
        }

        var runner = docker.ContainerIds([$"com.docker.compose.project={settings.ComposeProjectName}", $"com.docker.compose.service={RunnerStack.RunnerService}"], all: false).FirstOrDefault()
            ?? throw new BuildFailure($"no running runner container in the compose project {settings.ComposeProjectName}", "run ./build.sh --target=Up");
        var engine = fleet is null ? docker.Engine(TimeSpan.FromSeconds(30)) : null;

        var cleanup = docker.WithoutCancellation();
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var resources = new SmokeResources(cleanup, settings.ComposeProjectName, runId);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var levels = new List<LevelResult>();
        try
        {
            if (fleet is not null)
            {
                var awsValues = job.TokenMode ? new TokenModeJob(settings, state, docker, redactor, environment).AwsValues() : null;
                levels.AddRange(await Level([.. subjects.Select(s => s.ExecutorLevel), .. subjects.Select(s => s.DindLevel)], () =>
                    fleet.RunAsync(job, runner, subjects, runId, awsValues, named => ModeMismatch(job, named), cancel)));
                return await Finish(levels, started, clock, pipelineFile, cancel);
            }

            var executor = new ExecutorProbe(docker, redactor, new EnginePull(EngineEndpoints.Resolve(environment), engine!.ApiVersion));
            foreach (var subject in subjects)
            {
                levels.AddRange(await Level([subject.ExecutorLevel], async () => [await executor.RunAsync(runner, subject.Registry, subject.Image, runId, cancel, subject.ExecutorLevel, subject.Via)]));
            }

            levels.AddRange(await Level([.. subjects.Select(s => s.DindLevel)], () => Task.FromResult(DindLevels(job, resources, subjects))));
        }
        finally
        {
            foreach (var left in resources.Remove())
            {
                warn($"SmokeTest could not remove {left}; remove it with docker rm -fv / docker volume rm / docker network rm (label {SmokeResources.RunLabel}={runId})");
            }
        }

        return await Finish(levels, started, clock, pipelineFile, cancel);
    }

    /// <summary>The pipeline mode when GitLab allows it, then the summary, its table and the JUnit XML.</summary>
    private async Task<SmokeSummary> Finish(List<LevelResult> levels, DateTimeOffset started, Stopwatch clock, string pipelineFile, CancellationToken cancel)
    {
        var gitLab = runGitLab();
        if (gitLab.CanRunPipelines)
        {
            info($"pipeline mode: {gitLab.Url} project {gitLab.Project}, branch {settings.Smoke.PipelineBranch}");
            levels.AddRange(await new SmokePipeline(settings, redactor, info, warn).RunAsync(gitLab, File.ReadAllText(pipelineFile), cancel));
        }

        var summary = new SmokeSummary(levels, clock.Elapsed) { Helper = TestedHelper() };
        Files.AtomicFile.Write(JUnitFile, summary.JUnitXml(started), Files.AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        info(string.Empty);
        info(summary.Table().TrimEnd());
        info($"JUnit XML: {JUnitFile}");
        if (!gitLab.CanRunPipelines)
        {
            info($"pipeline mode: skipped (set {SettingCatalog.GitLabToken.Key} with the api scope and {SettingCatalog.GitLabProject.Key}, and {SettingCatalog.GitLabUrl.Key}, to also run the example pipeline in GitLab)");
        }
        return summary;
    }

    /// <summary>The helper Up and Register mounted: BuildHelper's output, as its manifest reports it.</summary>
    private string? TestedHelper()
    {
        var manifest = Helper.HelperOutput.For(settings).ReadManifest();
        return manifest is null ? null : $"{manifest.Describe()} (HELPER_SOURCE={manifest.Source})";
    }

    /// <summary>
    /// The DinD rows, as config.toml gives it to jobs; in token mode only for registries with a fresh token (a stale one
    /// fails its row before anything starts), and failing when the job container holds an AWS value. A config.toml of the
    /// other mode fails every row before anything starts.
    /// </summary>
    private IReadOnlyList<LevelResult> DindLevels(JobSettings job, SmokeResources resources, IReadOnlyList<SmokeSubject> subjects)
    {
        if (ModeMismatch(job, subjects) is { } mismatch)
        {
            return mismatch;
        }

        var tokenMode = settings.Runner.DindAuth == DindAuth.Token;
        var checks = new TokenModeJob(settings, state, docker, redactor, environment);
        var now = DateTimeOffset.UtcNow;
        var stale = subjects.ToDictionary(s => s.DindLevel, s => tokenMode ? checks.Stale(s.Registry.Host, now) : null);
        var fresh = subjects.Where(s => stale[s.DindLevel] is null).ToList();
        var ran = fresh.Count == 0 ? [] : new DindProbe(docker, resources, settings.Smoke.DindPrivileged, settings.Runner.RegistryCaBundle?.FullPath, tokenMode ? checks.AwsValues() : null)
            .Run(job, settings.Runner.DindImage.ToString(), settings.Aws.Registries, fresh, TimeSpan.FromMinutes(5));
        return [.. subjects.Select(s => stale[s.DindLevel] is { } problem
            ? LevelResult.Fail(s.DindLevel, TimeSpan.Zero, $"not run: {problem.Problem}", problem.Fix)
            : ran.First(r => r.Level == s.DindLevel))];
    }

    /// <summary>Every DinD row failed when config.toml's entry was written for the other DIND_AUTH; null when it fits.</summary>
    private IReadOnlyList<LevelResult>? ModeMismatch(JobSettings job, IReadOnlyList<SmokeSubject> subjects)
    {
        var tokenMode = settings.Runner.DindAuth == DindAuth.Token;
        return job.TokenMode == tokenMode ? null : [.. subjects.Select(s => LevelResult.Fail(s.DindLevel, TimeSpan.Zero,
            $"config.toml gives jobs {(job.TokenMode ? "the token folder (DIND_AUTH=token)" : "the helper and the runner's credentials (DIND_AUTH=helper)")}, and DIND_AUTH is {(tokenMode ? "token" : "helper")}",
            "run ./build.sh --target=Register, which writes the runner's entry for DIND_AUTH"))];
    }

    /// <summary>The rows a probe gives; a failure that stops it fails each of its rows alike.</summary>
    private static async Task<IReadOnlyList<LevelResult>> Level(IReadOnlyList<string> names, Func<Task<IReadOnlyList<LevelResult>>> probe)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await probe();
        }
        catch (BuildFailure ex)
        {
            return [.. names.Select(name => LevelResult.Fail(name, clock.Elapsed, ex.Problem, ex.Fix))];
        }
    }
}
