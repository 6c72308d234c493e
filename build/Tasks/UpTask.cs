using Build.Host;
using Build.Runner;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Up")]
[IsDependentOn(typeof(BuildHelperTask))]
[IsDependentOn(typeof(StageCredentialsTask))]
[TaskDescription("Starts the runner with docker compose, the DinD token refresher in token mode and the local GitLab in server mode; no restart when nothing changed.")]
public sealed class UpTask : FrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) =>
        Needs.State(context).Concat(Needs.CredentialsFile(context)).Concat(Needs.TokenRegistries(context)).Concat(Needs.FleetPluginArchive(context));

    public override bool ShouldRun(BuildContext context)
    {
        try
        {
            return Up(context).UpToDate(out var detail) is null ? Skip(detail) : true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An input that cannot be read is reported by the run itself, with its fix.
            return true;
        }
    }

    public override void Run(BuildContext context) => Up(context).Start();

    public override void OnError(Exception exception, BuildContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            context.Warning($"Up was stopped before the runner was confirmed running: containers may be half started. See {context.State.ComposeScript} ps, or run ./build.sh --target=Up again.");
        }
    }

    private static RunnerUp Up(BuildContext context) => new(
        context.Settings, context.State, context.Root.FullPath, context.EnvironmentVariables, context.FileFacts, context.Docker,
        () => context.Compose, context.ServerReadiness, context.ClaimState, context.LogInformation, context.CancellationToken);
}
