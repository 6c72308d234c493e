using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>Cake's report printer, with each skipped task's own reason in place of the criteria's fixed text.</summary>
public sealed class SkipReasonReportPrinter(ICakeReportPrinter inner, IReadOnlyDictionary<string, TaskEntry> tasks) : ICakeReportPrinter
{
    public void Write(CakeReport report)
    {
        var rewritten = new CakeReport();
        foreach (var entry in report)
        {
            var reason = entry.ExecutionStatus == CakeTaskExecutionStatus.Skipped && tasks.TryGetValue(entry.TaskName, out var task)
                ? task.Instance.SkipReason ?? entry.SkippedMessage
                : entry.SkippedMessage;
            rewritten.Add(entry.TaskName, reason, entry.Category, entry.Duration, entry.ExecutionStatus);
        }

        inner.Write(rewritten);
    }

    public void WriteStep(string name, Verbosity verbosity) => inner.WriteStep(name, verbosity);

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => inner.WriteLifeCycleStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity) => inner.WriteSkippedStep(name, verbosity);
}
