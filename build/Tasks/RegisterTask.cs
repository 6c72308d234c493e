using Build.Host;
using Build.Runner;

namespace Build.Tasks;

[TaskName("Register")]
[IsDependentOn(typeof(BootstrapTask))]
[TaskDescription("Registers the runner with GitLab and merges its entry (DOCKER_AUTH_CONFIG, DinD volumes) into config.toml, keeping everything else.")]
public sealed class RegisterTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) =>
        Needs.State(context).Concat(Needs.Registries(context)).Concat(Needs.PullThroughRegistry(context)).Concat(Needs.CredentialsFile(context)).Concat(Needs.RunnerToken(context)).Concat(Needs.Fleet(context));

    public override Task RunAsync(BuildContext context) =>
        new RunnerRegister(
            context.Settings, context.State, context.EnvironmentVariables, context.FileFacts, context.Redactor,
            () => context.GitLab, context.ClaimState, context.LogInformation, context.LogWarning).RunAsync(context.CancellationToken);
}
