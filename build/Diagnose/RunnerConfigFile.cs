using System.Text.RegularExpressions;
using Build.RunnerConfig;
using Build.Secrets;
using Tomlyn;
using Tomlyn.Model;

namespace Build.Diagnose;

/// <summary>What the Docker executor gives jobs and services, from <c>[runners.docker]</c>.</summary>
public sealed record JobDocker(string? Image, bool Privileged, IReadOnlyList<string> Volumes, IReadOnlyList<string> Services, string? NetworkMode);

/// <summary>One <c>[[runners]]</c> entry as Diagnose reads it (the token only as a secret).</summary>
public sealed record DiagnosedEntry(int Number, string Name, string? Url, Secret? Token, string? Executor, IReadOnlyList<string> Environment, JobDocker Docker)
{
    /// <summary>The executors whose pulls the runner authenticates with DOCKER_AUTH_CONFIG.</summary>
    public static readonly IReadOnlyList<string> DockerExecutors = ["docker", "docker-autoscaler"];

    public bool IsDocker => Executor is not null && DockerExecutors.Contains(Executor);

    /// <summary>The value of a variable of <c>environment</c> (the last one wins, as the runner reads job variables backwards), or null.</summary>
    public string? Variable(string name) =>
        Environment.LastOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal)) is { } entry ? entry[(name.Length + 1)..] : null;

    public override string ToString() => $"[[runners]] #{Number} \"{Name}\"";
}

/// <summary>
/// Reads a runner's config.toml without changing it: every <c>[[runners]]</c> entry, with each secret the file holds
/// (runner tokens, keys of the cache, AWS keys and credentials in <c>environment</c>, <c>auths</c> of DOCKER_AUTH_CONFIG)
/// registered with the redactor before anything is shown. A syntax error is reported with its line and column, masked.
/// </summary>
public static partial class RunnerConfigFile
{
    public static IReadOnlyList<DiagnosedEntry> Read(string path, Redactor redactor)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure($"DIAGNOSE_CONFIG {path} cannot be read: {ex.Message}", "run Diagnose as a user who may read it (the runner's config.toml is private: sudo, or the runner's user)");
        }

        try
        {
            ConfigToml.Parse(text, path);
        }
        catch (ConfigTomlException ex)
        {
            throw new BuildFailure(ex.Problem, "correct that line: the runner does not load this file either, and keeps running with the last one it loaded");
        }

        var document = TomlSerializer.Deserialize<TomlTable>(text)!;
        RegisterSecrets(document, redactor);
        var runners = document.TryGetValue("runners", out var r) && r is TomlTableArray array ? array.Cast<TomlTable>().ToList() : [];
        return [.. runners.Select((entry, i) => Entry(entry, i + 1, redactor))];
    }

    private static DiagnosedEntry Entry(TomlTable entry, int number, Redactor redactor)
    {
        var docker = entry.TryGetValue("docker", out var d) && d is TomlTable table ? table : new TomlTable();
        var services = docker.TryGetValue("services", out var s) && s is TomlTableArray list
            ? list.Cast<TomlTable>().Select(t => t.TryGetValue("name", out var n) ? n as string : null).OfType<string>().ToList()
            : [];
        var environment = Strings(entry, "environment");
        foreach (var variable in environment)
        {
            var (key, text) = Split(variable);
            if (SecretVariable().IsMatch(key) && text.Length > 0)
            {
                redactor.Add(new Secret(text), $"{key} of entry #{number} in config.toml");
            }

            if (key == "DOCKER_AUTH_CONFIG")
            {
                DockerConfigJson.RegisterSecrets(text, redactor, $"an auth of DOCKER_AUTH_CONFIG in entry #{number}");
            }
        }

        var token = entry.TryGetValue("token", out var t) && t is string { Length: > 0 } value ? new Secret(value) : null;
        return new DiagnosedEntry(
            number,
            entry.TryGetValue("name", out var name) && name is string { Length: > 0 } named ? named : $"(unnamed #{number})",
            entry.TryGetValue("url", out var url) ? url as string : null,
            token,
            entry.TryGetValue("executor", out var executor) ? executor as string : null,
            environment,
            new JobDocker(
                docker.TryGetValue("image", out var image) ? image as string : null,
                docker.TryGetValue("privileged", out var privileged) && privileged is true,
                Strings(docker, "volumes"),
                services,
                docker.TryGetValue("network_mode", out var network) && network is string { Length: > 0 } mode ? mode : null));
    }

    /// <summary>Every string under a key shaped like a credential, anywhere in the file (runner tokens, cache keys, ...).</summary>
    private static void RegisterSecrets(TomlTable table, Redactor redactor)
    {
        foreach (var (key, value) in table)
        {
            switch (value)
            {
                case string { Length: > 0 } text when SecretKey().IsMatch(key):
                    redactor.Add(new Secret(text), $"{key} in config.toml");
                    break;
                case TomlTable inner:
                    RegisterSecrets(inner, redactor);
                    break;
                case TomlTableArray tables:
                    foreach (var inner in tables)
                    {
                        RegisterSecrets(inner, redactor);
                    }

                    break;
            }
        }
    }

    public static (string Name, string Value) Split(string variable) =>
        variable.IndexOf('=') is var at and > 0 ? (variable[..at], variable[(at + 1)..]) : (variable, string.Empty);

    private static List<string> Strings(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value is TomlArray array ? [.. array.OfType<string>()] : [];

    // token, AccessKey, SecretKey, access_key, secret_key, password, PrivateKey, ... (not paths such as tls-key-file).
    [GeneratedRegex(@"(?i)\A(token|.*secret.*|.*password.*|access_?key|secret_?key|private_?key|.*_token)\z")]
    private static partial Regex SecretKey();

    /// <summary>A variable whose value is a credential (AWS keys, tokens, passwords).</summary>
    [GeneratedRegex(@"(?i)(secret|password|token|access_key|private_key|credentials_json)")]
    public static partial Regex SecretVariable();
}
