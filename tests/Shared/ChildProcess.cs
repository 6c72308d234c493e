using System.Diagnostics;

namespace Tests.Shared;

/// <summary>What a finished child process returned and printed.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// A program run as its own process with an argument list (no shell), its output captured and its stdin
/// a pipe (closed after <c>standardInput</c>, if any, is written). Colour is off and AWS clients never fall
/// back to the instance-metadata address. Secrets go through stdin, files or the environment, never argv.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const string MinimalPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly Task<string> _output;
    private readonly Task<string> _error;
    private readonly Task _input;

    private ChildProcess(Process process, string? standardInput)
    {
        Process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
        _input = WriteInputAsync(process, standardInput);
    }

    public Process Process { get; }

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="environment"/> added to this process's environment,
    /// or, with <paramref name="replaceEnvironment"/>, to an empty one that has only a minimal PATH.
    /// </summary>
    public static ChildProcess Start(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        bool replaceEnvironment = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (replaceEnvironment)
        {
            start.Environment.Clear();
            start.Environment["PATH"] = MinimalPath;
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        // Nothing a test starts may reach out: the dotnet CLI and pwsh send telemetry unless opted out.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}"), standardInput);
    }

    /// <summary>Starts the program and waits for it; on cancellation kills its process tree and throws <see cref="TimeoutException"/>.</summary>
    public static async Task<ProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellation,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        bool replaceEnvironment = false,
        string? workingDirectory = null)
    {
        using var child = Start(program, arguments, workingDirectory, environment, standardInput, replaceEnvironment);
        return await child.FinishAsync(cancellation);
    }

    /// <summary>Waits for the exit and returns everything printed; on cancellation kills the process tree and throws <see cref="TimeoutException"/>.</summary>
    public async Task<ProcessResult> FinishAsync(CancellationToken cancellation)
    {
        try
        {
            await Process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{Describe()}' did not finish in time and was killed");
        }

        await _input;
        return new ProcessResult(Process.ExitCode, await _output, await _error);
    }

    /// <summary>Waits for the exit (failing the test after <paramref name="timeout"/>) and returns everything printed.</summary>
    public (int Code, string Output, string Error) Finish(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var (code, output, error) = FinishAsync(cancel.Token).GetAwaiter().GetResult();
            return (code, output, error);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{Process.StartInfo.FileName} did not finish within {timeout.TotalSeconds:0} s and was killed");
            throw;
        }
    }

    /// <summary>Kills the process tree if it still runs (a test that failed before waiting for it), then releases it.</summary>
    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        Process.Dispose();
    }

    private static async Task WriteInputAsync(Process process, string? standardInput)
    {
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading its input; its exit code and output tell why.
        }
    }

    private string Describe() => string.Join(' ', [Process.StartInfo.FileName, .. Process.StartInfo.ArgumentList]);
}
