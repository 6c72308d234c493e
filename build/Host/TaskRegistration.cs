using System.Runtime.ExceptionServices;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>Registers the discovered tasks into Cake's engine with their dependencies, criteria and hooks.</summary>
public static class TaskRegistration
{
    public static void Register(CakeEngine engine, IEnumerable<TaskEntry> tasks, string target, ICakeLog log, FailedTask? failed = null)
    {
        foreach (var entry in tasks)
        {
            var builder = engine.RegisterTask(entry.Name).Description(entry.Description);
            foreach (var dependency in entry.Dependencies)
            {
                builder.IsDependentOn(dependency);
            }

            var task = entry.Instance;
            failed ??= new FailedTask();
            if (entry.Name == target)
            {
                // Cake fails a run whose target's criteria are false ("could not reach target"); a target
                // with nothing to do must succeed instead, so the target decides inside its action.
                builder.Does(context => failed.Record(entry.Name, async () =>
                {
                    if (task.ShouldRun(context))
                    {
                        await task.RunAsync(context);
                    }
                    else
                    {
                        log.Information("Skipping task {0}: {1}", entry.Name, task.SkipReason ?? "nothing to do");
                    }
                }));
            }
            else
            {
                builder.WithCriteria(context => failed.Record(entry.Name, () => task.ShouldRun(context)), "ShouldRun returned false")
                    .Does(context => failed.Record(entry.Name, () => task.RunAsync(context)));
            }

            builder
                .OnError((ex, context) =>
                {
                    // The task's hook runs, and the failure still fails the build.
                    task.OnError(ex, context);
                    ExceptionDispatchInfo.Capture(ex).Throw();
                })
                .Finally(task.Finally);
        }
    }
}
