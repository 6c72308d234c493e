using Build.Host;
using Build.Server;

namespace Build.Tasks;

[TaskName("Bootstrap")]
[IsDependentOn(typeof(UpTask))]
[TaskDescription("Server mode: waits for the local GitLab, then finds or creates root's token (gitlab-rails runner) and the smoke-test project; skipped otherwise.")]
public sealed class BootstrapTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => context.Settings.Server.Enabled ? Needs.State(context) : [];

    public override bool ShouldRun(BuildContext context) =>
        context.Settings.Server.Enabled || Skip("server mode is off (SERVER=false): Register uses GITLAB_URL");

    public override Task RunAsync(BuildContext context) =>
        new ServerBootstrap(context.Settings.Server, context.ServerReadiness, context.State, context.Docker, context.Redactor, context.ClaimState, context.LogInformation, context.LogWarning)
            .RunAsync(context.CancellationToken);
}
