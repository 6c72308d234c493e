using Build.Secrets;

namespace Build.Processes;

/// <summary>
/// What a finished command printed and returned. Its text has passed the run's redactor, and it does not
/// print its streams when formatted; output that is itself a secret is only in <see cref="SecretOutput"/>.
/// </summary>
public sealed class CommandResult(int exitCode, string standardOutput, string standardError, Secret? secretOutput = null)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The command as it ran, tool and arguments (which never hold a secret: <see cref="CommandRunner"/> refuses one).</summary>
    public string Command { get; init; } = string.Empty;

    public bool Succeeded => ExitCode == 0;

    /// <summary>Standard output, redacted; empty when the command ran with <see cref="CommandOptions.SecretOutput"/>.</summary>
    public string StandardOutput { get; } = standardOutput;

    /// <summary>Standard error, redacted.</summary>
    public string StandardError { get; } = standardError;

    /// <summary>Standard output of a command run with <see cref="CommandOptions.SecretOutput"/>.</summary>
    public Secret? SecretOutput { get; } = secretOutput;

    public override string ToString() => $"exit code {ExitCode}";
}
