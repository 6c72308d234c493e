using Build.Host;
using Cake.Core;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>A command that could not run or failed, with everything needed to act on it.</summary>
public sealed class CommandException(string message) : Exception(message);

/// <summary>
/// Runs a tool through Cake's process runner with an escaping argument builder. Arguments added with
/// <c>AppendSecret</c> are masked in Cake's own log; outputs pass the redactor before they reach an exception.
/// </summary>
public sealed class CommandRunner(ICakeContext context, Redactor redactor, CancellationToken cancellation)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the tool; a missing executable gives a <see cref="CommandException"/>, any exit code is returned.</summary>
    public CommandResult Run(string tool, ProcessArgumentBuilder arguments, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var executable = context.Tools.Resolve(tool)
            ?? throw new CommandException($"'{tool}' was not found on PATH. Install it, or run ./build.sh --target=Doctor for what is missing.");
        var settings = new ProcessSettings
        {
            Arguments = arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Silent = true,
            WorkingDirectory = context.Environment.WorkingDirectory,
            EnvironmentVariables = environment ?? new Dictionary<string, string>(),
        };
        using var process = context.ProcessRunner.Start(executable, settings);
        using (cancellation.Register(process.Kill))
        {
            // Cake's WaitForExit(ms) kills the process itself when the time is up.
            var finished = process.WaitForExit((int)(timeout ?? DefaultTimeout).TotalMilliseconds);
            cancellation.ThrowIfCancellationRequested();
            if (!finished)
            {
                throw new CommandException($"'{tool} {arguments.RenderSafe()}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s and was stopped.");
            }

            // The timed wait returns at exit, before the redirected output is read to its end; without
            // this wait a short-lived command's lines can be missing. The process has exited, so it returns
            // as soon as both streams are drained (a background child that kept the pipes open would hold
            // it; the build starts no such command).
            process.WaitForExit();
        }

        return new CommandResult(
            process.GetExitCode(),
            redactor.Redact(string.Join('\n', process.GetStandardOutput())),
            redactor.Redact(string.Join('\n', process.GetStandardError())));
    }
}
