using Build.Host;
using Build.Runner;

namespace Build.Tasks;

[TaskName("Clean")]
[TaskDescription("Unregisters the runner, removes the project's labelled containers, networks and volumes and the state folder; never touches the credentials file, .env or .env.local.")]
public sealed class CleanTask : AsyncFrostingTask<BuildContext>, IDryRunPreview<BuildContext>
{
    public override Task RunAsync(BuildContext context) => Clean(context, context.Settings.Clean.DryRun).RunAsync(context.CancellationToken);

    /// <summary>--dryrun: the list of what Clean would unregister and remove, nothing changed.</summary>
    public Task PreviewAsync(BuildContext context) => Clean(context, dryRun: true).RunAsync(context.CancellationToken);

    private static RunnerClean Clean(BuildContext context, bool dryRun)
    {
        var settings = context.Settings;
        var unregister = new RunnerUnregister(settings.Runner, settings.GitLab, context.State, context.Redactor, () => context.GitLab);
        return new RunnerClean(settings, context.Root.FullPath, context.StateFolder, context.Docker, unregister, context.LogInformation, context.LogWarning, dryRun);
    }
}
