using Build.Host;

namespace Build.Tests.Fixtures;

/// <summary>A context that records which task bodies and hooks ran.</summary>
public sealed class RecordingContext(HostContext host) : FrostingContext(host)
{
    public List<string> Ran { get; } = [];
}

[TaskName("Compile")]
[TaskDescription("Compiles things.")]
public sealed class CompileTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Ran.Add("Compile");
}

[TaskName("Stage")]
[TaskDescription("Stages things.")]
public sealed class StageTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Ran.Add("Stage");
}

[TaskName("Start")]
[IsDependentOn(typeof(CompileTask))]
[IsDependentOn(typeof(StageTask))]
[TaskDescription("Starts after Compile and Stage.")]
public sealed class StartTask : AsyncFrostingTask<RecordingContext>
{
    public override async Task RunAsync(RecordingContext context)
    {
        await Task.Yield();
        context.Ran.Add("Start");
    }
}

[TaskName("AlreadyDone")]
[TaskDescription("Skips itself with a reason.")]
public sealed class AlreadyDoneTask : FrostingTask<RecordingContext>
{
    public override bool ShouldRun(RecordingContext context) => Skip("helper v0.12.0 linux/amd64 already built, sha256 matches");

    public override void Run(RecordingContext context) => context.Ran.Add("AlreadyDone");
}

[TaskName("AfterSkipped")]
[IsDependentOn(typeof(AlreadyDoneTask))]
[TaskDescription("Runs after a skipped task.")]
public sealed class AfterSkippedTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Ran.Add("AfterSkipped");
}

[TaskName("Tidy")]
[TaskDescription("Says what it would remove in a dry run.")]
public sealed class TidyTask : FrostingTask<RecordingContext>, IDryRunPreview<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Ran.Add("Tidy");

    public Task PreviewAsync(RecordingContext context)
    {
        context.Ran.Add("Tidy.Preview");
        return Task.CompletedTask;
    }
}

[TaskName("Broken")]
[TaskDescription("Fails.")]
public sealed class BrokenTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => throw new InvalidOperationException("the registry said no");

    public override void OnError(Exception exception, RecordingContext context) => context.Ran.Add("Broken.OnError:" + exception.Message);

    public override void Finally(RecordingContext context) => context.Ran.Add("Broken.Finally");
}

[TaskName("AfterBroken")]
[IsDependentOn(typeof(BrokenTask))]
[TaskDescription("Never reached.")]
public sealed class AfterBrokenTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Ran.Add("AfterBroken");
}

[TaskName("Wait")]
[TaskDescription("Waits until cancelled.")]
public sealed class WaitTask : AsyncFrostingTask<RecordingContext>
{
    public override async Task RunAsync(RecordingContext context)
    {
        context.Ran.Add("Wait");
        // Bounded, so that broken cancellation fails the test instead of hanging it.
        await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
    }
}

[TaskName("Leaky")]
[TaskDescription("Logs a secret by mistake.")]
public sealed class LeakyTask : FrostingTask<RecordingContext>
{
    public const string Token = "glrt-leakytoken0123456789";

    public override void Run(RecordingContext context)
    {
        context.Redactor.Add(new Build.Secrets.Secret(Token));
        Cake.Common.Diagnostics.LoggingAliases.Information(context, "token is {0}", Token);
        throw new InvalidOperationException("rejected token " + Token);
    }
}

[TaskName("ArgvLeak")]
[TaskDescription("Tries to pass a secret on a command line.")]
public sealed class ArgvLeakTask : FrostingTask<RecordingContext>
{
    public const string Token = "glpat-argvleak0123456789ab";

    public static string Marker { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "argv-leak-" + Environment.ProcessId);

    public override void Run(RecordingContext context)
    {
        context.Redactor.Add(new Build.Secrets.Secret(Token), "GITLAB_TOKEN");
        var commands = new Build.Processes.CommandRunner(context, context.Redactor, context.CancellationToken);
        commands.Run("sh", Build.Processes.Arguments.Of("-c", $"touch {Marker}; echo {Token}"));
    }
}
