using Build.Settings;

namespace Build.Host;

/// <summary>The tasks a run would start, in dependency order, and what they need before the first one does.</summary>
public static class RunPlan
{
    /// <summary>The target and (unless <paramref name="exclusive"/>) everything it depends on, dependencies first.</summary>
    public static IReadOnlyList<TaskEntry> For(IReadOnlyDictionary<string, TaskEntry> tasks, string target, bool exclusive)
    {
        var order = new List<TaskEntry>();
        void Visit(TaskEntry task)
        {
            if (order.Contains(task))
            {
                return;
            }

            foreach (var dependency in exclusive && task.Name == target ? [] : task.Dependencies)
            {
                Visit(tasks[dependency]);
            }

            order.Add(task);
        }

        Visit(tasks[target]);
        return order;
    }

    /// <summary>Every missing requirement of the planned tasks, each once with the tasks that need it.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<TaskEntry> plan, Cake.Core.ICakeContext context) =>
        [.. plan
            .SelectMany(task => task.Instance.Requirements(context).Select(problem => (task.Name, Problem: problem)))
            .GroupBy(m => m.Problem, StringComparer.Ordinal)
            .Select(g => $"{g.Key} (needed by {string.Join(", ", g.Select(m => m.Name))})")];

    /// <summary>A <see cref="SettingsException"/> (nothing has run, nothing was changed) when the plan lacks anything.</summary>
    public static void Check(IEnumerable<TaskEntry> plan, Cake.Core.ICakeContext context)
    {
        if (Missing(plan, context) is { Count: > 0 } missing)
        {
            throw new SettingsException(missing);
        }
    }
}
