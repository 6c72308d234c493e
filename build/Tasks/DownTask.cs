using Build.Host;

namespace Build.Tasks;

[TaskName("Down")]
[TaskDescription("Stops the runner's containers without deleting anything.")]
public sealed class DownTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("Down", "stopping the compose project");
}
