using Build.Host;
using Build.Runner;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Status")]
[TaskDescription("Shows what is there: containers, helper, credentials source and file, registries, runner entry, DinD tokens, last SmokeTest; exit 0 even when nothing is up.")]
public sealed class StatusTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        foreach (var line in new RunnerStatus(context.Settings, context.State, context.Docker, () => context.GitLab).Lines())
        {
            context.Information(line);
        }
    }
}
