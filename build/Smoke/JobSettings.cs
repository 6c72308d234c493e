using Tomlyn;
using Tomlyn.Model;

namespace Build.Smoke;

/// <summary>
/// What the Docker executor gives a job and its services, read back from the config.toml Register wrote (not from the
/// settings): the runner entry's <c>environment</c> and its <c>[runners.docker]</c> image, volumes, privileges,
/// extra hosts and network mode.
/// </summary>
public sealed record JobSettings(
    string Image,
    IReadOnlyList<string> Environment,
    IReadOnlyList<string> Volumes,
    bool Privileged,
    IReadOnlyList<string> ExtraHosts,
    string? NetworkMode)
{
    /// <summary>The entry named <paramref name="runnerName"/>; a <see cref="BuildFailure"/> when the file or entry is missing.</summary>
    public static JobSettings Read(string configFile, string runnerName)
    {
        if (!File.Exists(configFile))
        {
            throw new BuildFailure($"{configFile} does not exist", "run ./build.sh --target=Register first");
        }

        var content = File.ReadAllText(configFile);
        // The syntax check first: its message masks what it quotes of the file (a token, say); the deserializer's would not.
        RunnerConfig.ConfigToml.Parse(content, configFile);
        var document = TomlSerializer.Deserialize<TomlTable>(content)!;
        var entry = (document.TryGetValue("runners", out var runners) && runners is TomlTableArray array ? array.Cast<TomlTable>() : [])
            .FirstOrDefault(r => r.TryGetValue("name", out var name) && name as string == runnerName)
            ?? throw new BuildFailure($"{configFile} has no runner named \"{runnerName}\"", "run ./build.sh --target=Register (RUNNER_NAME names the entry)");
        var docker = entry.TryGetValue("docker", out var d) && d is TomlTable table ? table : new TomlTable();
        return new JobSettings(
            docker.TryGetValue("image", out var image) && image is string text ? text : throw new BuildFailure($"runner \"{runnerName}\" in {configFile} has no [runners.docker] image", "run ./build.sh --target=Register"),
            Strings(entry, "environment"),
            Strings(docker, "volumes"),
            docker.TryGetValue("privileged", out var privileged) && privileged is true,
            Strings(docker, "extra_hosts"),
            docker.TryGetValue("network_mode", out var network) && network is string { Length: > 0 } mode ? mode : null);
    }

    /// <summary>True when the entry gives jobs the token folder (DIND_AUTH=token), not the helper and credentials.</summary>
    public bool TokenMode => Volumes.Any(v => RunnerConfig.DockerExecutor.VolumeTarget(v) == RunnerConfig.DockerExecutor.TokenTarget);

    /// <summary>The value of one <c>K=V</c> of the environment, or null.</summary>
    public string? Variable(string name) =>
        Environment.FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal)) is { } entry ? entry[(name.Length + 1)..] : null;

    private static List<string> Strings(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value is TomlArray array ? [.. array.OfType<string>()] : [];
}
