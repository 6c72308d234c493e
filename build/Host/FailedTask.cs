namespace Build.Host;

/// <summary>The run's first failing task, recorded by <see cref="TaskRegistration"/> for the host's error line.</summary>
public sealed class FailedTask
{
    public string? Name { get; private set; }

    /// <summary>Runs <paramref name="action"/>; an exception it throws names <paramref name="task"/> as the failing task (the first one wins).</summary>
    public T Record<T>(string task, Func<T> action)
    {
        try
        {
            return action();
        }
        catch
        {
            Name ??= task;
            throw;
        }
    }

    public async Task Record(string task, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch
        {
            Name ??= task;
            throw;
        }
    }
}
