using Build.Host;
using Cake.Core.IO;

namespace Build.Tests.Fixtures;

/// <summary>Runs the host in-process over the test tasks and captures what it prints.</summary>
public sealed class HostHarness
{
    public static readonly Type[] AllTasks =
    [
        typeof(CompileTask), typeof(StageTask), typeof(StartTask), typeof(AlreadyDoneTask), typeof(AfterSkippedTask),
        typeof(BrokenTask), typeof(AfterBrokenTask), typeof(WaitTask), typeof(LeakyTask), typeof(ArgvLeakTask), typeof(TidyTask),
    ];

    public RecordingContext? Context { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public Func<HostContext, RecordingContext>? Factory { get; init; }

    public async Task<int> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public async Task<int> RunAsync(CancellationToken cancellation, params string[] args)
    {
        var writer = new StringWriter();
        var host = new CakeHost<RecordingContext>(AllTasks, h => Context = (Factory ?? (x => new RecordingContext(x)))(h), defaultTarget: "Start")
        {
            Output = writer,
            Error = writer,
            EnvironmentVariables = name => name == "NO_COLOR" ? "1" : null,
            Root = new DirectoryPath(System.IO.Path.GetTempPath()),
        };
        var code = await host.RunAsync(args, cancellation);
        Output = writer.ToString();
        return code;
    }
}
