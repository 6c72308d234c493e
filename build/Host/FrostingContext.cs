using Build.Secrets;
using Cake.Core;
using Cake.Core.IO;

namespace Build.Host;

/// <summary>Base of a typed build context over Cake's <see cref="ICakeContext"/> (Cake.Frosting's <c>FrostingContext</c>).</summary>
public abstract class FrostingContext(HostContext host) : CakeContextAdapter(host.Cake)
{
    /// <summary>Signalled by Ctrl-C or SIGTERM; pass it to anything that waits.</summary>
    public CancellationToken CancellationToken { get; } = host.CancellationToken;

    /// <summary>Masks secrets in text before it is logged or thrown.</summary>
    public Redactor Redactor { get; } = host.Redactor;

    /// <summary>The repository root: .env, assets and the default state folder are found from here.</summary>
    public DirectoryPath Root { get; } = host.Root;

    /// <summary>Standard output for a document a target prints (<see cref="IDocumentTarget{TContext}"/>); log lines go through the log.</summary>
    public TextWriter StandardOutput { get; } = host.StandardOutput;
}
