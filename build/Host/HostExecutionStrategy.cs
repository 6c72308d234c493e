using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>
/// Cake's default strategy, plus: a skipped task logs the reason its ShouldRun gave, and a cancelled run
/// (Ctrl-C, SIGTERM) starts no further task.
/// </summary>
public sealed class HostExecutionStrategy(
    IExecutionStrategy inner,
    ICakeLog log,
    IReadOnlyDictionary<string, TaskEntry> tasks,
    CancellationToken cancellation) : IExecutionStrategy
{
    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext teardownContext) => inner.PerformTeardown(action, teardownContext);

    public async Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        cancellation.ThrowIfCancellationRequested();
        await inner.ExecuteAsync(task, context);
        cancellation.ThrowIfCancellationRequested();
    }

    public void Skip(CakeTask task, CakeTaskCriteria criteria)
    {
        var reason = tasks.TryGetValue(task.Name, out var entry) ? entry.Instance.SkipReason : null;
        log.Information("Skipping task {0}: {1}", task.Name, reason ?? criteria.Message ?? "its criteria were not met");
    }

    public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => inner.ReportErrorsAsync(action, exception);

    public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) =>
        inner.HandleErrorsAsync(action, exception, context);

    public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => inner.InvokeFinallyAsync(action, context);

    public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext) => inner.PerformTaskSetup(action, taskSetupContext);

    public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext) => inner.PerformTaskTeardown(action, taskTeardownContext);
}
