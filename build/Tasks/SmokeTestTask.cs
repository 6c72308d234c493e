using Build.Host;

namespace Build.Tasks;

[TaskName("SmokeTest")]
[IsDependentOn(typeof(RegisterTask))]
[TaskDescription("Proves both ECR paths: the executor pulls the private image, and a DinD job pulls it with docker pull.")]
public sealed class SmokeTestTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("SmokeTest", "the authentication smoke test");
}
