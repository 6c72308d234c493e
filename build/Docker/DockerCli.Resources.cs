using Build.Processes;
using Cake.Core.IO;

namespace Build.Docker;

/// <summary>The kinds of Docker objects the build lists by label.</summary>
public enum DockerObjects
{
    Containers,
    Networks,
    Volumes,
    Images,
}

/// <summary>The network, volume and list operations.</summary>
public sealed partial class DockerCli
{
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The list command of <paramref name="kind"/> (stopped containers too, ids untruncated) with one label filter
    /// (<c>key=value</c>): Docker ANDs filters of the same kind, so a caller wanting either of two labels asks twice.
    /// </summary>
    public static ProcessArgumentBuilder ListArguments(DockerObjects kind, string label, string format) =>
        Arguments.Of([.. ListCommand(kind), "--filter", "label=" + label, "--format", format]);

    /// <summary>One line per object carrying <paramref name="label"/>, in <paramref name="format"/>; a <see cref="CommandException"/> when docker fails.</summary>
    public IReadOnlyList<string> List(DockerObjects kind, string label, string format)
    {
        var result = Run(ListArguments(kind, label, format), ListTimeout);
        return result.Succeeded
            ? Lines(result)
            : throw new CommandException($"docker {string.Join(' ', ListCommand(kind).Take(2))} failed: {result.StandardError.Trim()}");
    }

    public static ProcessArgumentBuilder NetworkExistsArguments(string network) => Arguments.Of("network", "inspect", "--format", "{{.Name}}", network);

    public bool NetworkExists(string network) => Run(NetworkExistsArguments(network)).Succeeded;

    public static ProcessArgumentBuilder CreateNetworkArguments(string network, IEnumerable<string> labels, bool isInternal) =>
        Arguments.Of(["network", "create", .. isInternal ? ["--internal"] : Array.Empty<string>(), .. Labels(labels), network]);

    /// <summary>Creates a network; an internal one has no way out of the machine.</summary>
    public CommandResult CreateNetwork(string network, IEnumerable<string> labels, bool isInternal) => Run(CreateNetworkArguments(network, labels, isInternal));

    public static ProcessArgumentBuilder ConnectArguments(string network, string container) => Arguments.Of("network", "connect", network, container);

    public CommandResult Connect(string network, string container) => Run(ConnectArguments(network, container));

    public static ProcessArgumentBuilder NetworkIdsArguments(string label) => Arguments.Of("network", "ls", "--quiet", "--filter", "label=" + label);

    /// <summary>The networks carrying <paramref name="label"/> (<c>key=value</c>); none when docker fails.</summary>
    public IReadOnlyList<string> NetworkIds(string label) => Lines(Run(NetworkIdsArguments(label)));

    public static ProcessArgumentBuilder RemoveNetworkArguments(string network) => Arguments.Of("network", "rm", network);

    public CommandResult RemoveNetwork(string network) => Run(RemoveNetworkArguments(network));

    public static ProcessArgumentBuilder VolumeExistsArguments(string volume) => Arguments.Of("volume", "inspect", volume);

    public bool VolumeExists(string volume) => Run(VolumeExistsArguments(volume)).Succeeded;

    public static ProcessArgumentBuilder CreateVolumeArguments(string volume, IEnumerable<string> labels) => Arguments.Of(["volume", "create", .. Labels(labels), volume]);

    public CommandResult CreateVolume(string volume, IEnumerable<string> labels) => Run(CreateVolumeArguments(volume, labels));

    public static ProcessArgumentBuilder VolumeNamesArguments(string label) => Arguments.Of("volume", "ls", "--quiet", "--filter", "label=" + label);

    /// <summary>The volumes carrying <paramref name="label"/> (<c>key=value</c>); none when docker fails.</summary>
    public IReadOnlyList<string> VolumeNames(string label) => Lines(Run(VolumeNamesArguments(label)));

    public static ProcessArgumentBuilder RemoveVolumeArguments(string volume, bool force) =>
        Arguments.Of(["volume", "rm", .. force ? ["--force"] : Array.Empty<string>(), volume]);

    public CommandResult RemoveVolume(string volume, bool force) => Run(RemoveVolumeArguments(volume, force));

    private static string[] ListCommand(DockerObjects kind) => kind switch
    {
        DockerObjects.Containers => ["ps", "--all", "--no-trunc"],
        DockerObjects.Networks => ["network", "ls", "--no-trunc"],
        DockerObjects.Volumes => ["volume", "ls"],
        _ => ["image", "ls", "--no-trunc"],
    };
}
