namespace Build.Processes;

/// <summary>A command that could not run or failed, with everything needed to act on it.</summary>
public class CommandException(string message) : Exception(message);

/// <summary>A command refused before it started because its arguments held a secret (the process list would show it).</summary>
public sealed class SecretInArgumentsException(string tool, string secretName)
    : CommandException($"Refused to start '{tool}': its arguments hold {secretName}, and every user of this machine can read a process's arguments. Pass it through standard input or the environment.");
