using Build.Helper;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("BuildHelper")]
[TaskDescription("Builds the static docker-credential-ecr-login helper (pinned version, linux/amd64 and arm64) into the state folder; skipped when the manifest matches.")]
public sealed class BuildHelperTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => Needs.State(context).Concat(Needs.HelperInput(context));

    public override bool ShouldRun(BuildContext context)
    {
        var output = HelperOutput.For(context.Settings);
        return output.Staleness(HelperRequest.From(context.Settings)) is null
            ? Skip($"helper {output.ReadManifest()!.Describe()} up to date")
            : true;
    }

    public override Task RunAsync(BuildContext context)
    {
        var goBuild = new GoContainerBuild(context.Settings, context.Root.FullPath, context.Docker, context.LogInformation, line => context.Verbose(line));
        return new HelperInstaller(context.Settings, context.Commands, goBuild, context.ClaimState, context.LogInformation, context.LogWarning, context.CancellationToken).InstallAsync();
    }
}
