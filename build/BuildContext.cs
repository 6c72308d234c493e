using Build.Host;
using Build.Settings;
using Cake.Core.IO;

namespace Build;

/// <summary>The typed context every task receives: Cake's context plus the run's settings.</summary>
public sealed class BuildContext : FrostingContext
{
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
        foreach (var secret in Settings.Secrets)
        {
            Redactor.Add(secret);
        }
    }

    public BuildSettings Settings { get; }

    public DirectoryPath StateDirectory => Settings.StateDirectory;
}
