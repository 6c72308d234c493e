using Build.Secrets;

namespace Build.Processes;

/// <summary>How one command runs: its time limit, what it gets on standard input and in its environment.</summary>
public sealed record CommandOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static CommandOptions Default { get; } = new();

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Plain variables set for the child, on top of the build's environment less its secrets.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Inherited variables the child must not see (another tool's configuration, say).</summary>
    public IReadOnlyList<string> RemoveEnvironment { get; init; } = [];

    /// <summary>Secret variables the child needs (AWS keys for the helper, say); the only way a secret reaches it.</summary>
    public IReadOnlyDictionary<string, Secret> SecretEnvironment { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Text written to the child's standard input, then closed; a secret here never shows in argv or a log.</summary>
    public Secret? StandardInput { get; init; }

    /// <summary>The child prints a secret (an ECR token from the helper's <c>get</c>): its output is returned as a <see cref="Secret"/>, never as text.</summary>
    public bool SecretOutput { get; init; }
}
