using Build.Host;

namespace Build.Tasks;

[TaskName("Up")]
[IsDependentOn(typeof(BuildHelperTask))]
[IsDependentOn(typeof(StageCredentialsTask))]
[TaskDescription("Starts the runner with docker compose (and the local GitLab in server mode); no restart when nothing changed.")]
public sealed class UpTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("Up", "starting the runner with compose");
}
