using Build.Secrets;
using Cake.Core;
using Cake.Core.IO;

namespace Build.Host;

/// <summary>What the host hands a context factory: Cake's context plus the run's own facts.</summary>
/// <param name="StandardOutput">Standard output for a target's document (<see cref="IDocumentTarget{TContext}"/>), redacted.</param>
public sealed record HostContext(
    ICakeContext Cake,
    HostOptions Options,
    DirectoryPath Root,
    DirectoryPath InvocationDirectory,
    Redactor Redactor,
    Func<string, string?> EnvironmentVariables,
    CancellationToken CancellationToken,
    TextWriter StandardOutput);
