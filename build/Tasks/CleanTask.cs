using Build.Host;
using Build.Runner;

namespace Build.Tasks;

[TaskName("Clean")]
[TaskDescription("Unregisters the runner, removes the project's labelled containers, networks and volumes and the state folder; never touches the credentials file, .env or .env.local.")]
public sealed class CleanTask : AsyncFrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => new RunnerClean(context).RunAsync(context.CancellationToken);
}
