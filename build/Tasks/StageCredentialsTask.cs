using Build.Aws;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("StageCredentials")]
[IsDependentOn(typeof(PreflightTask))]
[TaskDescription("Validates the AWS credentials (file, instance role or environment), proves them with STS and the helper (Preflight), and shows what the runner and jobs will mount.")]
public sealed class StageCredentialsTask : FrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => Needs.EnvironmentKeys(context);

    public override void Run(BuildContext context)
    {
        var credentials = RunnerCredentials.For(context.Settings, context.EnvironmentVariables);
        credentials.Require(context.Settings, context.FileFacts, RunnerCredentials.JobsFile(context.Settings)?.Path);
        foreach (var mount in credentials.Runner.Mounts)
        {
            context.Information($"runner and jobs mount {mount}");
        }

        var variables = credentials.Runner.Environment.Select(e => $"{e.Key}={e.Value}").Concat(credentials.Runner.SecretEnvironment.Keys.Select(k => $"{k}={Secrets.Secret.Mask}"));
        context.Information($"runner and jobs environment: {string.Join(' ', variables)}");
    }
}
