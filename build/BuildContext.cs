using Build.Docker;
using Build.Host;
using Build.Processes;
using Build.Settings;
using Cake.Common.Diagnostics;
using Cake.Core.IO;

namespace Build;

/// <summary>The typed context every task receives: Cake's context, the run's settings and its tool wrappers.</summary>
public sealed class BuildContext : FrostingContext
{
    private readonly Lazy<ComposeCli?> _compose;

    public BuildContext(HostContext host)
        : base(host)
    {
        var dotEnv = host.Root.CombineWithFilePath(".env").FullPath;
        Settings = BuildSettings.Load(
            host.Root,
            host.InvocationDirectory,
            host.Options.Arguments,
            host.EnvironmentVariables,
            File.Exists(dotEnv) ? File.ReadAllText(dotEnv) : null);
        foreach (var (name, secret) in Settings.Secrets)
        {
            Redactor.Add(secret, name);
        }

        if (Settings.SecretsFromDotEnv && SettingsFilePermissions.Check(dotEnv) is { } warning)
        {
            this.Warning(warning);
        }

        Commands = new CommandRunner(this, Redactor, CancellationToken);
        Docker = new DockerCli(Commands);
        _compose = new Lazy<ComposeCli?>(() => ComposeCli.Detect(Commands));
    }

    public BuildSettings Settings { get; }

    public DirectoryPath StateDirectory => Settings.StateDirectory;

    /// <summary>Runs processes with the run's secrets kept out of argv, the child's environment and the log.</summary>
    public CommandRunner Commands { get; }

    public DockerCli Docker { get; }

    /// <summary>Compose v2 (plugin) or v1, detected once per run on first use; null when neither answers.</summary>
    public ComposeCli? Compose => _compose.Value;
}
