using System.Diagnostics;

namespace Build.Tests;

/// <summary>A program run as its own process, as a user's shell would run it, with its output captured.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private ChildProcess(Process process)
    {
        Process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>Starts the program with colour off and AWS's instance-metadata lookup disabled, plus <paramref name="environment"/>.</summary>
    public static ChildProcess Start(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the exit (failing the test after <paramref name="timeout"/>) and returns everything printed.</summary>
    public (int Code, string Output, string Error) Finish(TimeSpan timeout)
    {
        Assert.True(Process.WaitForExit(timeout), $"{Process.StartInfo.FileName} did not finish within {timeout.TotalSeconds:0} s");
        Process.WaitForExit();
        return (Process.ExitCode, _output.GetAwaiter().GetResult(), _error.GetAwaiter().GetResult());
    }

    public void Dispose() => Process.Dispose();
}
