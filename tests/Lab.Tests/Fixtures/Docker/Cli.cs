namespace Lab.Fixtures.Docker;

/// <summary>
/// The lab's way to run its tools: <see cref="ChildProcess"/> (argument list, explicit environment, stdin;
/// secrets never in argv), plus checked runs that name the failed lab step.
/// </summary>
public static class Cli
{
    public static Task<ProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellation,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        bool replaceEnvironment = false) =>
        ChildProcess.RunAsync(program, arguments, cancellation, environment, standardInput, replaceEnvironment);

    /// <summary>Runs and throws a <see cref="LabException"/> naming the step, command, exit code and stderr on failure.</summary>
    public static async Task<ProcessResult> CheckedAsync(string step, string program, IEnumerable<string> arguments, CancellationToken cancellation, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, cancellation, environment, standardInput);
        if (!result.Succeeded)
        {
            throw new LabException($"lab step '{step}' failed: '{program} {string.Join(' ', list)}' exited with {result.ExitCode}: {result.Error.Trim()} {result.Output.Trim()}".Trim());
        }

        return result;
    }

    public static Task<ProcessResult> DockerAsync(string step, CancellationToken cancellation, params string[] arguments) =>
        CheckedAsync(step, "docker", arguments, cancellation);
}
