using Build.Docker;
using Build.Helper;
using Build.Processes;
using Build.Secrets;

namespace Build.Diagnose;

/// <summary>
/// Diagnoses every <c>[[runners]]</c> entry of a config.toml at both levels, for a runner set up by anyone: it reads the
/// file, looks at the runner process (in its container, or on this host) and at the images on this machine, runs the
/// helper's <c>get</c> the way the runner does, and changes nothing: no file is written (the helper's cache and log go
/// to a throwaway folder that is removed), GitLab is never called, nothing is pulled.
/// </summary>
public sealed class RunnerDiagnosis(
    string configPath,
    string? container,
    string dindImage,
    string project,
    DockerCli docker,
    CommandRunner commands,
    Redactor redactor,
    IReadOnlyDictionary<string, string> hostEnvironment,
    int hostUser)
{
    public DiagnosisReport Run(DateTimeOffset now)
    {
        var entries = RunnerConfigFile.Read(configPath, redactor);
        if (entries.Count == 0)
        {
            throw new BuildFailure($"{configPath} has no [[runners]] entry", "point DIAGNOSE_CONFIG at the runner's config.toml (/etc/gitlab-runner/config.toml, ~/.gitlab-runner/config.toml, or the one in the runner's container)");
        }

        DockerEngine? engine = null;
        string? unreachable = null;
        try
        {
            engine = docker.Engine(TimeSpan.FromSeconds(15));
        }
        catch (CommandException ex)
        {
            unreachable = ex.Message;
        }

        var platform = Platform(engine);
        IRunnerProcess runner = container is null
            ? new HostRunner(commands, redactor, RunnerEnvironment.Read(hostEnvironment.Select(e => $"{e.Key}={e.Value}"), redactor, "this process's"), hostUser)
            : engine is null
                ? throw new BuildFailure($"DIAGNOSE_CONTAINER = {container}, but Docker is not reachable ({unreachable})", "start Docker or make it reachable for this user, or unset DIAGNOSE_CONTAINER when the runner runs on this host")
                : ContainerRunner.Open(docker, redactor, container, platform);
        return Diagnose(entries, runner, engine, unreachable, now);
    }

    /// <summary>The findings of every entry, with the runner process given (tests give their own).</summary>
    public DiagnosisReport Diagnose(IReadOnlyList<DiagnosedEntry> entries, IRunnerProcess runner, DockerEngine? engine, string? unreachable, DateTimeOffset now)
    {
        var version = RunnerVersion.From(runner.RunnerVersionText(), runner.Where);
        var images = engine is null ? null : new ImageProbe(docker, project);
        var executor = new ExecutorChecks(runner, configPath, version);
        var dind = new DindChecks(Platform(engine), images, new HelperVersionReader(commands), redactor, now);
        var api = new EngineChecks(engine, unreachable, images, dindImage);
        var diagnosed = new List<EntryDiagnosis>();
        foreach (var entry in entries)
        {
            var findings = EntryChecks.Run(entry, entries, version).ToList();
            if (!entry.IsDocker)
            {
                findings.Add(Finding.Skip("executor", "executor", $"executor \"{entry.Executor ?? "(none)"}\": only the docker and docker-autoscaler executors pull images with DOCKER_AUTH_CONFIG"));
            }
            else
            {
                var auth = ExecutorAuth.Read(entry, runner, redactor);
                findings.AddRange(auth.Check(version, runner.Environment, now));
                findings.AddRange(executor.Run(entry, auth));
                findings.AddRange(dind.Run(entry));
                findings.Add(api.Run(entry));
            }

            diagnosed.Add(new EntryDiagnosis(entry, findings));
        }

        return new DiagnosisReport(configPath, runner.Where + (runner.InContainer ? string.Empty : " (with this environment: a runner service may have another)"), diagnosed);
    }

    private static HelperPlatform? Platform(DockerEngine? engine) =>
        engine is null ? Aws.HelperLocation.Host : HelperPlatform.All.FirstOrDefault(p => p.Name == engine.Platform);
}
