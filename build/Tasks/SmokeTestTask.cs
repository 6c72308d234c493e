using Build.Host;
using Build.Smoke;

namespace Build.Tasks;

[TaskName("SmokeTest")]
[IsDependentOn(typeof(RegisterTask))]
[TaskDescription("Proves both ECR paths: the executor pulls the private image (and the ECR Public and pull-through images when set), and a DinD job pulls them with docker pull; with GITLAB_TOKEN and GITLAB_PROJECT it also runs the example pipeline in GitLab.")]
public sealed class SmokeTestTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => Needs.PrivateImage(context).Concat(Needs.PullThroughRegistry(context)).Concat(Needs.State(context)).Concat(Needs.SmokeTestFleet(context));

    public override async Task RunAsync(BuildContext context)
    {
        var run = new SmokeTestRun(
            context.Settings, context.State, context.Root.FullPath, context.EnvironmentVariables, context.Docker, context.Redactor,
            () => context.GitLab, context.ClaimState, context.LogInformation, context.LogWarning, Fleet(context));
        var summary = await run.RunAsync(context.CancellationToken);
        if (!summary.Passed)
        {
            throw new BuildFailure(
                $"{summary.Levels.Count(l => !l.Passed)} of {summary.Levels.Count} levels failed (see the summary above)",
                string.Join("; ", summary.Levels.Where(l => !l.Passed).Select(l => $"{l.Level}: {l.Fix}")));
        }
    }

    /// <summary>FLEET=aws: the worker's levels, with the manager's credentials for the group's describe calls.</summary>
    private static FleetLevels? Fleet(BuildContext context) => !context.Settings.Fleet.Enabled ? null : new FleetLevels(
        context.Settings, context.Docker, context.Redactor,
        async cancel =>
        {
            var staged = new Aws.CredentialsStaging(context.Settings, context.Redactor, context.FileFacts, context.EnvironmentVariables, context.LogInformation).Stage();
            var bundle = context.Settings.Aws.CaBundle is { } path ? Aws.CaBundle.Load(path.FullPath, "AWS_CA_BUNDLE") : null;
            return await Build.Fleet.FleetApi.ForAsync(staged, context.Redactor, bundle, cancel);
        },
        context.LogInformation, context.LogWarning);
}
