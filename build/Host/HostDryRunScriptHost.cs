using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Scripting;

namespace Build.Host;

/// <summary>
/// Cake's <c>--dryrun</c>: lists the tasks the target would run, in order, and runs none of their bodies (nor setup,
/// teardown or finally); a task whose criteria say no is listed as skipped with its reason; a task that implements
/// <see cref="IDryRunPreview{TContext}"/> says what it would do.
/// </summary>
public sealed class HostDryRunScriptHost<TContext>(ICakeEngine engine, TContext context, ICakeLog log, IReadOnlyDictionary<string, TaskEntry> tasks)
    : ScriptHost(engine, context)
    where TContext : class, ICakeContext
{
    public override Task<CakeReport> RunTargetAsync(string target)
    {
        Settings.SetTarget(target);
        return RunAsync(target);
    }

    public override Task<CakeReport> RunTargetsAsync(IEnumerable<string> targets)
    {
        var list = targets.ToList();
        Settings.SetTargets(list);
        return RunAsync(string.Join(", ", list));
    }

    private async Task<CakeReport> RunAsync(string target)
    {
        log.Information("Performing dry run...");
        log.Information("Target is: {0}", target);
        log.Information(string.Empty);
        var report = await Engine.RunTargetAsync(context, new Strategy(log, tasks), Settings);
        log.Information(string.Empty);
        log.Information("This was a dry run: no task changed anything.");
        return report;
    }

    private sealed class Strategy(ICakeLog log, IReadOnlyDictionary<string, TaskEntry> tasks) : IExecutionStrategy
    {
        private int _number;

        public async Task ExecuteAsync(CakeTask task, ICakeContext context)
        {
            log.Information("{0}. {1}", ++_number, task.Name);
            if (tasks.TryGetValue(task.Name, out var entry) && entry.Instance is IDryRunPreview<TContext> preview)
            {
                await preview.PreviewAsync((TContext)context);
            }
        }

        public void Skip(CakeTask task, CakeTaskCriteria criteria)
        {
            var reason = tasks.TryGetValue(task.Name, out var entry) ? entry.Instance.SkipReason : null;
            log.Information("{0}. {1}: would be skipped: {2}", ++_number, task.Name, reason ?? criteria.Message ?? "its criteria were not met");
        }

        public void PerformSetup(Action<ISetupContext> action, ISetupContext context)
        {
        }

        public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext teardownContext)
        {
        }

        public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext)
        {
        }

        public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext)
        {
        }

        public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => action(exception);

        public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) => action(exception, context);

        public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => System.Threading.Tasks.Task.CompletedTask;
    }
}
