using Build.Diagnose;
using Build.Host;
using Cake.Common.Diagnostics;

namespace Build.Tasks;

[TaskName("Diagnose")]
[TaskDescription("Diagnoses why a runner (any runner, not only this build's) cannot pull from ECR, at both levels, from DIAGNOSE_CONFIG (and DIAGNOSE_CONTAINER); changes nothing, calls no GitLab. DIAGNOSE_FORMAT=json prints one JSON document.")]
public sealed class DiagnoseTask : FrostingTask<BuildContext>, IDocumentTarget<BuildContext>
{
    public override IEnumerable<string> Requirements(BuildContext context) => Needs.DiagnoseConfig(context);

    public bool WritesDocument(BuildContext context) => context.Settings.Diagnose.Json;

    public override void Run(BuildContext context)
    {
        var (settings, json) = (context.Settings, context.Settings.Diagnose.Json);
        var report = new RunnerDiagnosis(
            settings.Diagnose.Config!.FullPath, settings.Diagnose.Container, settings.Runner.DindImage.ToString(), settings.ComposeProjectName,
            context.Docker, context.Commands, context.Redactor, RunnerEnvironment.OfThisProcess(), Aws.FileOwner.CurrentUser).Run(DateTimeOffset.UtcNow);
        if (json)
        {
            context.StandardOutput.Write(report.Json(context.Redactor));
            context.StandardOutput.Flush();
        }
        else
        {
            foreach (var line in report.Table(context.Redactor).TrimEnd('\n').Split('\n'))
            {
                context.Information(line);
            }
        }

        if (report.Failure(json) is { } failure)
        {
            throw failure;
        }
    }
}
