using Build.Aws;
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
    private readonly GitLab.GitLabResolver _gitLab;

    public BuildContext(HostContext host)
        : base(host)
    {
        Commands = new CommandRunner(this, Redactor, CancellationToken);
        EnvironmentVariables = host.EnvironmentVariables;
        var dotEnv = host.Root.CombineWithFilePath(".env").FullPath;
        var dotEnvLocal = host.Root.CombineWithFilePath(".env.local").FullPath;
        var texts = SettingsFile.ReadAll(dotEnv, dotEnvLocal);
        Settings = BuildSettings.Load(
            host.Root,
            host.InvocationDirectory,
            host.Options.Arguments,
            host.EnvironmentVariables,
            texts[0],
            texts[1],
            () => GitFiles.IsTracked(Commands, dotEnv),
            (name, secret) => Redactor.Add(secret, name));
        foreach (var (name, secret) in Settings.Secrets)
        {
            Redactor.Add(secret, name);
        }

        // Printed once, before any task: a machine-wide variable silently beating the file the user edited sends them to the wrong file.
        foreach (var line in Settings.OverriddenFileValues)
        {
            this.Warning(line);
        }

        foreach (var (holdsSecret, path) in new[] { (Settings.SecretsFromDotEnv, dotEnv), (Settings.SecretsFromDotEnvLocal, dotEnvLocal) })
        {
            if (holdsSecret && SettingsFilePermissions.Check(path) is { } warning)
            {
                this.Warning(warning);
            }
        }

        Docker = new DockerCli(Commands);
        _compose = new Lazy<ComposeCli?>(() => ComposeCli.Detect(Commands));
        _gitLab = new GitLab.GitLabResolver(Settings, State, Redactor, LogWarning);
    }

    public BuildSettings Settings { get; }

    public DirectoryPath StateDirectory => Settings.StateDirectory;

    /// <summary>Every path the build keeps under STATE_DIR.</summary>
    public State.StateLayout State => new(Settings.StateDirectory.FullPath);

    /// <summary>Whether STATE_DIR may be written and cleaned (marker, system folders, $HOME, the repository).</summary>
    public State.StateFolder StateFolder => new(State, Settings.ComposeProjectName, Root.FullPath, EnvironmentVariables("HOME"));

    /// <summary>Makes sure the build may write into STATE_DIR (creating it and its marker); a task that writes there calls this first.</summary>
    public void ClaimState()
    {
        if (StateFolder.Claim() is { } done)
        {
            this.Information(done);
        }
    }

    /// <summary>Runs processes with the run's secrets kept out of argv, the child's environment and the log.</summary>
    public CommandRunner Commands { get; }

    public DockerCli Docker { get; }

    /// <summary>What the credentials-file check asks of the machine: the repository, git, the file's owner, the running user.</summary>
    public FileFacts FileFacts => new(Root.FullPath, path => GitFiles.IsTracked(Commands, path), FileOwner.Of, FileOwner.CurrentUser);

    /// <summary>The process environment as the host read it (tests give their own).</summary>
    public Func<string, string?> EnvironmentVariables { get; }

    /// <summary>
    /// The GitLab of this run (<see cref="Build.GitLab.GitLabResolver"/>): the settings' (GITLAB_URL, GITLAB_TOKEN,
    /// GITLAB_PROJECT), or in server mode the local GitLab with root's token from the state folder, which the Bootstrap
    /// task writes. Register, Clean, Status and SmokeTest's pipeline mode use it, not those settings.
    /// </summary>
    public GitLab.EffectiveGitLab GitLab => _gitLab.Current;

    /// <summary>Compose v2 (plugin) or v1, detected once per run on first use; null when neither answers.</summary>
    public ComposeCli? Compose => _compose.Value;

    /// <summary>Prints a line at normal verbosity (redacted, as every line): the log callback services take.</summary>
    public Action<string> LogInformation => line => this.Information(line);

    public Action<string> LogWarning => line => this.Warning(line);

    /// <summary>The local GitLab's readiness (server mode), which Up and Bootstrap wait for.</summary>
    public Server.ServerReadiness ServerReadiness =>
        new(Settings.Server, Settings.ComposeProjectName, Docker, State.ComposeScript, LogInformation, CancellationToken);
}
