using Cake.Core;

namespace Build.Host;

/// <summary>What the host needs of a task, whatever its context type.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    /// <summary>Why the last <see cref="ShouldRun"/> returned false, for the log.</summary>
    string? SkipReason { get; }

    /// <summary>What this task needs of the settings that is missing (each with its fix); the host asks every task of the run before the first one starts.</summary>
    IEnumerable<string> Requirements(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}

/// <summary>
/// Base of an asynchronous task, shaped like Cake.Frosting's <c>AsyncFrostingTask&lt;T&gt;</c>.
/// A task that decides not to run returns <c>Skip("why")</c> from <see cref="ShouldRun(TContext)"/>.
/// </summary>
public abstract class AsyncFrostingTask<TContext> : IFrostingTask
    where TContext : ICakeContext
{
    public string? SkipReason { get; private set; }

    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    public virtual bool ShouldRun(TContext context) => true;

    /// <summary>
    /// The settings (and cheap local facts) this task needs and lacks, each as "what is missing: what to set". The host
    /// checks every task the run would start before the first one does, and reports all at once.
    /// </summary>
    public virtual IEnumerable<string> Requirements(TContext context) => [];

    public virtual void OnError(Exception exception, TContext context)
    {
    }

    public virtual void Finally(TContext context)
    {
    }

    /// <summary>Records why the task does not run and returns false, for use in <see cref="ShouldRun(TContext)"/>.</summary>
    protected bool Skip(string reason)
    {
        SkipReason = reason;
        return false;
    }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunAsync((TContext)context);

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        SkipReason = null;
        return ShouldRun((TContext)context);
    }

    IEnumerable<string> IFrostingTask.Requirements(ICakeContext context) => Requirements((TContext)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (TContext)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((TContext)context);
}

/// <summary>Base of a synchronous task, shaped like Cake.Frosting's <c>FrostingTask&lt;T&gt;</c>.</summary>
public abstract class FrostingTask<TContext> : AsyncFrostingTask<TContext>
    where TContext : ICakeContext
{
    public virtual void Run(TContext context)
    {
    }

    public sealed override Task RunAsync(TContext context)
    {
        Run(context);
        return Task.CompletedTask;
    }
}
