using Build.Aws;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("StageCredentials")]
[IsDependentOn(typeof(PreflightTask))]
[TaskDescription("Validates the AWS credentials (file, instance role or environment), proves them with STS and the helper (Preflight), and shows what the runner (and, in helper mode, the jobs) will mount.")]
public sealed class StageCredentialsTask : FrostingTask<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => Needs.EnvironmentKeys(context);

    public override void Run(BuildContext context)
    {
        var credentials = RunnerCredentials.For(context.Settings, context.EnvironmentVariables);
        credentials.Require(context.Settings, context.FileFacts, RunnerCredentials.JobsFile(context.Settings)?.Path);
        var token = context.Settings.Runner.DindAuth == Settings.DindAuth.Token;
        var who = token ? "runner and DinD token refresher" : "runner and jobs";
        foreach (var mount in credentials.Runner.Mounts)
        {
            context.Information($"{who} mount {mount}");
        }

        var variables = credentials.Runner.Environment.Select(e => $"{e.Key}={e.Value}").Concat(credentials.Runner.SecretEnvironment.Keys.Select(k => $"{k}={Secrets.Secret.Mask}"));
        context.Information($"{who} environment: {string.Join(' ', variables)}");
        if (token)
        {
            context.Information("DinD jobs get none of these (DIND_AUTH=token): a read-only folder of ECR tokens the refresher renews");
        }
    }
}
