using Build.Host;

namespace Build.Tasks;

[TaskName("BuildHelper")]
[TaskDescription("Builds the static docker-credential-ecr-login helper (pinned version, linux/amd64 and arm64) into the state folder; skipped when the manifest matches.")]
public sealed class BuildHelperTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("BuildHelper", "compiling the ECR credential helper");
}
