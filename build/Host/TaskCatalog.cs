using System.Reflection;

namespace Build.Host;

/// <summary>A discovered task: its name, description, dependencies (by name) and an instance.</summary>
public sealed record TaskEntry(string Name, string Description, IReadOnlyList<string> Dependencies, IFrostingTask Instance);

/// <summary>Finds the task classes of an assembly and checks that their attributes form a valid graph.</summary>
public static class TaskCatalog
{
    /// <summary>The concrete task classes of an assembly.</summary>
    public static IReadOnlyList<Type> TypesIn(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFrostingTask).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>Creates the tasks and checks names, descriptions and dependencies.</summary>
    public static IReadOnlyList<TaskEntry> Create(IEnumerable<Type> types)
    {
        var entries = new List<TaskEntry>();
        foreach (var type in types)
        {
            var dependencies = type.GetCustomAttributes<IsDependentOnAttribute>()
                .Select(a => typeof(IFrostingTask).IsAssignableFrom(a.Task)
                    ? NameOf(a.Task)
                    : throw new InvalidOperationException($"{type.Name} depends on {a.Task.Name}, which is not a task."))
                .ToList();
            var description = type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"{type.Name} has no [TaskDescription]: every task needs one for --description and --help.");
            var instance = (IFrostingTask)(Activator.CreateInstance(type)
                ?? throw new InvalidOperationException($"{type.Name} could not be created."));
            entries.Add(new TaskEntry(NameOf(type), description, dependencies, instance));
        }

        var missing = entries.SelectMany(e => e.Dependencies.Where(d => !entries.Any(x => x.Name == d)).Select(d => $"{e.Name} depends on {d}"));
        if (missing.FirstOrDefault() is { } absent)
        {
            throw new InvalidOperationException($"{absent}, which is not among the build's tasks.");
        }

        var duplicate = entries.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two tasks are named {duplicate.Key}.");
        }

        return entries;
    }

    /// <summary>The <see cref="TaskNameAttribute"/> name, else the class name without a "Task" suffix (as Cake.Frosting does).</summary>
    public static string NameOf(Type type) =>
        type.GetCustomAttribute<TaskNameAttribute>()?.Name
        ?? (type.Name.EndsWith("Task", StringComparison.Ordinal) && type.Name.Length > 4 ? type.Name[..^4] : type.Name);
}
