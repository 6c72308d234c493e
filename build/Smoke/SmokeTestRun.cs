using System.Diagnostics;
using System.Security.Cryptography;
using Build.Docker;
using Build.Processes;
using Build.Runner;
using Build.Settings;
using Cake.Common.Diagnostics;

namespace Build.Smoke;

/// <summary>
/// SmokeTest's authentication probe: writes the example pipeline, reads the config.toml Register wrote, runs the
/// executor level and the DinD level for each configured image (private, ECR Public, pull-through: one row per image
/// and level), removes everything it made, and writes the summary table and JUnit XML.
/// </summary>
public sealed class SmokeTestRun(BuildContext context)
{
    public string ResultDirectory => Path.GetDirectoryName(context.State.SmokeTestResult)!;

    public string JUnitFile => context.State.SmokeTestResult;

    public async Task<SmokeSummary> RunAsync(CancellationToken cancel)
    {
        var settings = context.Settings;
        _ = settings.Aws.PrivateImage
            ?? throw new BuildFailure("PRIVATE_ECR_IMAGE is not set", "set PRIVATE_ECR_IMAGE (in .env.local or the environment) to a private image in your ECR registry, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest");
        var subjects = SmokeSubject.From(settings);

        // A result of an earlier run must not stand for this one if this one stops midway (Ctrl-C, a crash).
        context.ClaimState();
        Directory.CreateDirectory(ResultDirectory);
        Files.AtomicFile.Write(JUnitFile, SmokeSummary.Unfinished(DateTimeOffset.UtcNow), Files.AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var pipelineFile = ExamplePipeline.Write(context.Root.FullPath, settings);
        context.Information($"Example pipeline written to {pipelineFile}");

        var job = JobSettings.Read(context.State.ConfigToml, settings.Runner.Name);
        foreach (var needed in new[] { settings.Runner.DindImage.ToString(), job.Image }.Distinct())
        {
            if (context.Docker.EnsureImage(needed, settings.PullMissingImages, m => context.Information(m)) is { } why)
            {
                throw new BuildFailure($"the image {needed} is needed for the DinD level, but {why}", "pull or load it (docker pull / docker load), or set IMAGE_PULL=missing");
            }
        }

        var runner = context.Docker.Run(Arguments.Of("ps", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={settings.ComposeProjectName}", "--filter", $"label=com.docker.compose.service={RunnerStack.RunnerService}"))
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim()
            ?? throw new BuildFailure($"no running runner container in the compose project {settings.ComposeProjectName}", "run ./build.sh --target=Up");
        var engine = context.Docker.Engine(TimeSpan.FromSeconds(30));

        var cleanup = new DockerCli(new CommandRunner(context, context.Redactor, CancellationToken.None));
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var resources = new SmokeResources(cleanup, settings.ComposeProjectName, runId);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var levels = new List<LevelResult>();
        try
        {
            var executor = new ExecutorProbe(context.Docker, cleanup, context.Redactor, new EnginePull(EngineEndpoints.Resolve(context.EnvironmentVariables), engine.ApiVersion));
            foreach (var subject in subjects)
            {
                levels.AddRange(await Level([subject.ExecutorLevel], async () => [await executor.RunAsync(runner, subject.Registry, subject.Image, runId, cancel, subject.ExecutorLevel, subject.Via)]));
            }

            levels.AddRange(await Level([.. subjects.Select(s => s.DindLevel)], () => Task.FromResult(new DindProbe(context.Docker, resources, settings.Smoke.DindPrivileged, settings.Runner.RegistryCaBundle?.FullPath)
                .Run(job, settings.Runner.DindImage.ToString(), settings.Aws.Registries, subjects, TimeSpan.FromMinutes(5)))));
        }
        finally
        {
            foreach (var left in resources.Remove())
            {
                context.Warning($"SmokeTest could not remove {left}; remove it with docker rm -fv / docker volume rm / docker network rm (label {SmokeResources.RunLabel}={runId})");
            }
        }

        if (context.GitLab.CanRunPipelines)
        {
            context.Information($"pipeline mode: {context.GitLab.Url} project {context.GitLab.Project}, branch {settings.Smoke.PipelineBranch}");
            levels.AddRange(await new SmokePipeline(context).RunAsync(File.ReadAllText(pipelineFile), cancel));
        }

        var summary = new SmokeSummary(levels, clock.Elapsed) { Helper = TestedHelper() };
        Files.AtomicFile.Write(JUnitFile, summary.JUnitXml(started), Files.AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        context.Information(string.Empty);
        context.Information(summary.Table().TrimEnd());
        context.Information($"JUnit XML: {JUnitFile}");
        if (!context.GitLab.CanRunPipelines)
        {
            context.Information($"pipeline mode: skipped (set {SettingCatalog.GitLabToken.Key} with the api scope and {SettingCatalog.GitLabProject.Key}, and {SettingCatalog.GitLabUrl.Key}, to also run the example pipeline in GitLab)");
        }
        return summary;
    }

    /// <summary>The helper Up and Register mounted: BuildHelper's output, as its manifest reports it.</summary>
    private string? TestedHelper()
    {
        var manifest = Helper.HelperOutput.For(context.Settings).ReadManifest();
        return manifest is null ? null : $"{manifest.Describe()} (HELPER_SOURCE={manifest.Source})";
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
