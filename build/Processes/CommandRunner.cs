using Build.Secrets;
using Cake.Core;
using Cake.Core.IO;

namespace Build.Processes;

/// <summary>
/// Runs a tool through Cake's process runner with an escaping argument builder. A secret reaches a child
/// only through standard input or <see cref="CommandOptions.SecretEnvironment"/>: arguments that hold a
/// known secret are refused, and the inherited environment is stripped of secrets. Outputs pass the
/// redactor before they are returned.
/// </summary>
public sealed class CommandRunner(ICakeContext context, Redactor redactor, CancellationToken cancellation)
{
    /// <summary>The same runner, whose commands the run's cancellation does not stop (clean-up after Ctrl-C).</summary>
    public CommandRunner WithoutCancellation() => new(context, redactor, CancellationToken.None);

    /// <summary>Runs the tool; a missing executable or a secret in the arguments gives a <see cref="CommandException"/>, any exit code is returned.</summary>
    public CommandResult Run(string tool, ProcessArgumentBuilder arguments, CommandOptions? options = null)
    {
        options ??= CommandOptions.Default;
        var rendered = arguments.Render();
        if (redactor.NameOfSecretIn(rendered) is { } secretName)
        {
            throw new SecretInArgumentsException(tool, secretName);
        }

        // A path (the helper under test, say) is run as is; a bare name is looked up by Cake's tool locator.
        var executable = (System.IO.Path.IsPathRooted(tool) ? (File.Exists(tool) ? new FilePath(tool) : null) : context.Tools.Resolve(tool))
            ?? throw new CommandException($"'{tool}' was not found on PATH. Install it, or run ./build.sh --target=Doctor for what is missing.");
        var settings = new ProcessSettings
        {
            Arguments = arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Silent = true,
            WorkingDirectory = context.Environment.WorkingDirectory,
            // Cake sets each entry on the child; a null value removes an inherited variable.
            EnvironmentVariables = ChildEnvironment.For(options, redactor, System.Environment.GetEnvironmentVariables())!,
        };
        // Cake logs a child's output lines at diagnostic verbosity; output that is a secret (a token not yet
        // known to the redactor) is taken here instead and never reaches Cake's queue or log.
        var secretLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        if (options.SecretOutput)
        {
            settings.RedirectedStandardOutputHandler = line =>
            {
                if (line is not null)
                {
                    secretLines.Enqueue(line);
                }

                return null!;
            };
        }

        if (options.StandardInput is { } input)
        {
            settings.StandardInput = input.Reveal();
        }

        using var process = context.ProcessRunner.Start(executable, settings);
        using (cancellation.Register(process.Kill))
        {
            // Cake's WaitForExit(ms) kills the process itself when the time is up.
            var finished = process.WaitForExit((int)options.Timeout.TotalMilliseconds);
            cancellation.ThrowIfCancellationRequested();
            if (!finished)
            {
                throw new CommandException($"'{tool} {arguments.RenderSafe()}' did not finish within {options.Timeout.TotalSeconds:0.#} s and was stopped.");
            }

            // The timed wait returns at exit, before the redirected output is read to its end; without
            // this wait a short-lived command's lines can be missing. The process has exited, so it returns
            // as soon as both streams are drained (a background child that kept the pipes open would hold
            // it; the build starts no such command).
            process.WaitForExit();
        }

        var output = string.Join('\n', options.SecretOutput ? secretLines : process.GetStandardOutput());
        var error = redactor.Redact(string.Join('\n', process.GetStandardError()));
        return options.SecretOutput
            ? new CommandResult(process.GetExitCode(), string.Empty, error, output.Length > 0 ? new Secret(output) : null) { Command = $"{tool} {rendered}" }
            : new CommandResult(process.GetExitCode(), redactor.Redact(output), error) { Command = $"{tool} {rendered}" };
    }
}
