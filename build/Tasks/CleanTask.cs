using Build.Host;

namespace Build.Tasks;

[TaskName("Clean")]
[TaskDescription("Stops the containers and removes the state folder (server data only when asked); never touches the credentials file.")]
public sealed class CleanTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("Clean", "cleaning up");
}
