using Build.Host;
using Build.Fleet;
using Build.Runner;

namespace Build.Tasks;

[TaskName("Register")]
[IsDependentOn(typeof(BootstrapTask))]
[TaskDescription("Registers the runner with GitLab and merges its entry (DOCKER_AUTH_CONFIG, DinD volumes) into config.toml, keeping everything else.")]
public sealed class RegisterTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) =>
        Needs.State(context).Concat(Needs.Registries(context)).Concat(Needs.PullThroughRegistry(context)).Concat(Needs.CredentialsFile(context)).Concat(Needs.RunnerToken(context)).Concat(Needs.Fleet(context));

    public override async Task RunAsync(BuildContext context)
    {
        // FLEET=aws: the workers' files are rendered first, so a missing input stops the run before GitLab is asked.
        var fleet = context.Settings.Fleet.Enabled ? new FleetFiles(context.Settings, context.State, context.Root.FullPath, context.ClaimState, context.LogInformation) : null;
        var workerFiles = fleet?.Render();
        await new RunnerRegister(
            context.Settings, context.State, context.EnvironmentVariables, context.FileFacts, context.Redactor,
            () => context.GitLab, context.ClaimState, context.LogInformation, context.LogWarning).RunAsync(context.CancellationToken);
        if (fleet is not null && workerFiles is not null)
        {
            fleet.Write(workerFiles);
        }
    }
}
