using System.Diagnostics;

namespace Lab.Docker;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs a program with an argument list (no shell), an explicit environment and optional stdin.
/// Secrets go through stdin or files, never the argument list.
/// </summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellation,
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
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (replaceEnvironment)
        {
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }

        // Never let an AWS client fall back to the instance metadata address.
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new LabException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new LabException($"'{program} {string.Join(' ', arguments)}' did not finish in time and was killed");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs and throws a <see cref="LabException"/> naming the step, command, exit code and stderr on failure.</summary>
    public static async Task<CliResult> CheckedAsync(string step, string program, IEnumerable<string> arguments, CancellationToken cancellation, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, cancellation, environment, standardInput);
        if (!result.Succeeded)
        {
            throw new LabException($"lab step '{step}' failed: '{program} {string.Join(' ', list)}' exited with {result.ExitCode}: {result.Error.Trim()} {result.Output.Trim()}".Trim());
        }

        return result;
    }

    public static Task<CliResult> DockerAsync(string step, CancellationToken cancellation, params string[] arguments) =>
        CheckedAsync(step, "docker", arguments, cancellation);
}
