using Build.Host;

namespace Build.Tasks;

[TaskName("StageCredentials")]
[TaskDescription("Validates the AWS credentials (file, instance role or environment), proves them with STS and the helper, and stages the runner's mounts.")]
public sealed class StageCredentialsTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("StageCredentials", "credential staging and preflight");
}
