using Build.Processes;
using Build.Secrets;

namespace Build.Docker;

/// <summary>
/// What <c>docker create</c> makes. It always runs with <c>--pull never</c>: whether an image may be pulled is decided
/// before, by <see cref="DockerCli.EnsureImage"/> (IMAGE_PULL).
/// </summary>
public sealed record ContainerSpec(string Name, string Image)
{
    /// <summary><c>key=value</c> labels, so the build finds (and removes) what it made by label, never by name.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    public string? Network { get; init; }

    public IReadOnlyList<string> NetworkAliases { get; init; } = [];

    /// <summary><c>source:target[:options]</c>, a named volume or a host path as the source.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary><c>NAME=value</c>; on the command line, so never a secret (<see cref="CommandRunner"/> refuses one).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary><c>host:address</c> entries for the container's /etc/hosts.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    public bool Privileged { get; init; }

    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary><c>--security-opt</c> values, such as <c>seccomp=unconfined</c>.</summary>
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];

    public string? Entrypoint { get; init; }

    /// <summary>The command after the image (the image's own when empty).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
}

/// <summary>
/// One <c>docker exec</c> in a running container. A secret variable has only its name on the command line
/// (<c>--env NAME</c>): its value is in docker's own environment, which docker passes on; a secret for the command goes
/// to its standard input; output that is a secret (an ECR token) is only ever held as a <see cref="Secret"/>.
/// </summary>
public sealed record ExecSpec(string Container, IReadOnlyList<string> Command)
{
    /// <summary><c>NAME=value</c>, never a secret.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    public IReadOnlyDictionary<string, Secret> SecretEnvironment { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Written to the command's standard input (<c>--interactive</c>), then closed.</summary>
    public Secret? StandardInput { get; init; }

    public bool SecretOutput { get; init; }

    public TimeSpan Timeout { get; init; } = CommandOptions.DefaultTimeout;
}
