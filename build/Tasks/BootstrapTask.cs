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

    public override async Task RunAsync(BuildContext context) => context.UseBootstrapped(await new ServerBootstrap(context).RunAsync(context.CancellationToken));
}
