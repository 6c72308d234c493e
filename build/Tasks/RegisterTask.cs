using Build.Host;

namespace Build.Tasks;

[TaskName("Register")]
[IsDependentOn(typeof(UpTask))]
[TaskDescription("Registers the runner with GitLab and merges its entry (DOCKER_AUTH_CONFIG, DinD volumes) into config.toml, keeping everything else.")]
public sealed class RegisterTask : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("Register", "registration and the config.toml merge");
}
