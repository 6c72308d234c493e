using Build.Host;
using Build.Runner;

namespace Build.Tasks;

[TaskName("Down")]
[TaskDescription("Stops the runner's containers (every profile) without deleting anything.")]
public sealed class DownTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        new RunnerDown(context.Settings.ComposeProjectName, context.StateDirectory.FullPath, context.Docker, context.LogInformation).Run();
}
