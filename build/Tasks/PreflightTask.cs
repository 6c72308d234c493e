using Build.Aws;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Preflight")]
[TaskDescription("Proves the AWS credentials: validates them, asks STS who they are, gets an ECR token for every registry with the helper, as the runner will, and checks the pull-through cache's rules and, with FLEET=aws, the Auto Scaling group.")]
public sealed class PreflightTask : AsyncFrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) =>
        Needs.Registries(context).Concat(Needs.EnvironmentKeys(context)).Concat(Needs.PullThroughRegistry(context)).Concat(Needs.State(context)).Concat(Needs.FleetGroup(context));

    public override async Task RunAsync(BuildContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var staged = new CredentialsStaging(context.Settings, context.Redactor, context.FileFacts, context.EnvironmentVariables, m => context.Information(m)).Stage();
        context.Information(staged.File is null ? $"credentials: {Describe(staged.Source)}, region {staged.Region}" : $"credentials: {staged.File} (profile [{context.Settings.Aws.Profile}]), region {staged.Region}");
        var preflight = new Preflight(context.Settings, RunnerCredentials.For(context.Settings, context.EnvironmentVariables), context.Commands, context.Redactor, () => { context.ClaimState(); return context.State.Preflight; }, m => context.Information(m), m => context.Warning(m));
        var checks = clock.Elapsed;
        var report = await preflight.RunAsync(staged, context.CancellationToken);
        context.Information($"Preflight took {clock.ElapsedMilliseconds} ms: credentials check {checks.TotalMilliseconds:0} ms, STS {report.Sts.TotalMilliseconds:0} ms, helper {report.Helper.TotalMilliseconds:0} ms for {report.Registries.Count} registries{(context.Settings.Aws.PullThrough.Enabled ? $", pull-through cache {report.PullThrough.TotalMilliseconds:0} ms" : string.Empty)}");
    }

    private static string Describe(Settings.CredentialsSource source) => source switch
    {
        Settings.CredentialsSource.Environment => "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment",
        _ => "the EC2 instance role",
    };
}
