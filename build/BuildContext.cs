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
    private Lazy<GitLab.EffectiveGitLab> _gitLab;

    public BuildContext(HostContext host)
        : base(host)
    {
        Commands = new CommandRunner(this, Redactor, CancellationToken);
        EnvironmentVariables = host.EnvironmentVariables;
        var dotEnv = host.Root.CombineWithFilePath(".env").FullPath;
        var dotEnvLocal = host.Root.CombineWithFilePath(".env.local").FullPath;
        Settings = BuildSettings.Load(
            host.Root,
            host.InvocationDirectory,
            host.Options.Arguments,
            host.EnvironmentVariables,
            File.Exists(dotEnv) ? File.ReadAllText(dotEnv) : null,
            File.Exists(dotEnvLocal) ? File.ReadAllText(dotEnvLocal) : null,
            () => GitFiles.IsTracked(Commands, dotEnv));
        if (host.Options.Mode == HostMode.Run && string.Equals(host.Options.Target, "SmokeTest", StringComparison.OrdinalIgnoreCase) && Settings.PrivateImage is null)
        {
            // Refused before Up and Register run for it: the probe has nothing to pull without it.
            throw new SettingsException(["PRIVATE_ECR_IMAGE is required for SmokeTest: set it to a private image in your ECR registry (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest) in .env.local or the environment"]);
        }

        foreach (var (name, secret) in Settings.Secrets)
        {
            Redactor.Add(secret, name);
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
        _gitLab = new Lazy<GitLab.EffectiveGitLab>(ResolveGitLab);
    }

    public BuildSettings Settings { get; }

    public DirectoryPath StateDirectory => Settings.StateDirectory;

    /// <summary>Runs processes with the run's secrets kept out of argv, the child's environment and the log.</summary>
    public CommandRunner Commands { get; }

    public DockerCli Docker { get; }

    /// <summary>What the credentials-file check asks of the machine: the repository, git, the file's owner, the running user.</summary>
    public FileFacts FileFacts => new(Root.FullPath, path => GitFiles.IsTracked(Commands, path), path => FileOwner.Of(Commands, path), FileOwner.CurrentUser);

    /// <summary>The process environment as the host read it (tests give their own).</summary>
    public Func<string, string?> EnvironmentVariables { get; }

    /// <summary>
    /// The GitLab of this run, resolved on first use: the settings' (GITLAB_URL, GITLAB_TOKEN, GITLAB_PROJECT), or in
    /// server mode the local GitLab with root's token from the state folder (written by the Bootstrap task, which runs
    /// before anything reads this). Register, Clean, Status and SmokeTest's pipeline mode use it, not those settings.
    /// </summary>
    public GitLab.EffectiveGitLab GitLab => _gitLab.Value;

    /// <summary>The local GitLab as Bootstrap left it (root's token, the project): what later tasks of this run use, whatever read <see cref="GitLab"/> before.</summary>
    public void UseBootstrapped(GitLab.EffectiveGitLab gitLab) => _gitLab = new Lazy<GitLab.EffectiveGitLab>(gitLab);

    /// <summary>Compose v2 (plugin) or v1, detected once per run on first use; null when neither answers.</summary>
    public ComposeCli? Compose => _compose.Value;

    private GitLab.EffectiveGitLab ResolveGitLab()
    {
        if (!Settings.Server)
        {
            // Resolved once per run, so the warning shows once, and only in runs that use GitLab.
            var settings = Build.GitLab.EffectiveGitLab.FromSettings(Settings);
            if (settings.ClearTextWarning() is { } warning)
            {
                this.Warning(warning);
            }

            return settings;
        }

        var token = new Server.ServerState(Settings).ReadToken();
        if (token is not null)
        {
            Redactor.Add(token, "the local GitLab's root token");
        }

        return Build.GitLab.EffectiveGitLab.LocalServer(Settings, token);
    }
}
