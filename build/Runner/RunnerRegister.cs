using System.Runtime.InteropServices;
using Build.Aws;
using Build.Files;
using Build.GitLab;
using Build.Helper;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;

namespace Build.Runner;

/// <summary>
/// Register: reads and checks config.toml first (a broken file or a foreign entry changes nothing and
/// calls nobody), obtains the runner token from GitLab, writes the DinD config.json from the registry list, and merges
/// the runner entry into config.toml: atomically, mode 0600, with a backup, and not at all when nothing changed.
/// </summary>
/// <param name="environment">The process environment (the keys of CREDENTIALS_SOURCE=environment).</param>
/// <param name="runGitLab">The run's GitLab, asked after config.toml is checked (in server mode, with the root token Bootstrap wrote).</param>
/// <param name="claimState">Makes sure the build may write into STATE_DIR, before Register first writes there.</param>
public sealed class RunnerRegister(
    BuildSettings settings, State.StateLayout state, Func<string, string?> environment, FileFacts fileFacts, Redactor redactor,
    Func<EffectiveGitLab> runGitLab, Action claimState, Action<string> info, Action<string> warn, GitLabApiOptions? apiOptions = null)
{
    public const string SystemIdFile = ".runner_system_id";

    public string ConfigDirectory => state.RunnerConfig;

    public string ConfigFile => state.ConfigToml;

    public string DindConfigFile => state.DindConfig;

    public string BackupDirectory => state.Backups;

    public async Task RunAsync(CancellationToken cancel)
    {
        var existing = File.Exists(ConfigFile) ? await File.ReadAllTextAsync(ConfigFile, cancel) : null;
        var credentials = RunnerCredentials.For(settings, environment);
        credentials.Require(settings, fileFacts, RunnerCredentials.JobsFile(settings)?.Path);
        var helper = HelperOutput.For(settings).BinaryFor(Platform);

        // Every refusal about the file comes before GitLab is asked anything.
        var existingToken = ConfigToml.TokenOf(existing, settings.Runner.Name, ConfigFile) is { } text ? new Secret(text) : null;
        if (existingToken is not null)
        {
            redactor.Add(existingToken, "the runner token in config.toml");
        }

        var gitLab = runGitLab();
        ConfigToml.Merge(existing, RunnerEntry.For(settings, credentials, existingToken ?? new Secret("placeholder"), helper, DindConfigFile, gitLab.RunnerUrl), ConfigFile);
        if (gitLab.IsLocalServer && gitLab.PersonalToken is null)
        {
            throw new GitLabException($"server mode, and the local GitLab's root token is not in {new Server.ServerState(state).TokenFile}", "run ./build.sh --target=Register --server without --exclusive (its Bootstrap step creates the token), or ./build.sh --target=Bootstrap --server");
        }

        claimState();
        using var api = new GitLabApi(gitLab.Url, redactor, (apiOptions ?? new GitLabApiOptions()) with
        {
            CaBundle = settings.GitLab.CaBundle?.FullPath,
            Log = warn,
        });
        var (token, created) = await new RunnerTokens(settings, gitLab, api, info).ObtainAsync(existingToken, SystemId(), cancel);
        try
        {
            Write(existing, RunnerEntry.For(settings, credentials, token, helper, DindConfigFile, gitLab.RunnerUrl));
        }
        catch (Exception ex) when (created || ex is IOException or UnauthorizedAccessException)
        {
            // As gitlab-runner register does: a runner created for a file that could not be written is removed again.
            var deleted = created && await api.DeleteAsync(token, CancellationToken.None);
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigTomlException(
                    $"{ConfigFile} could not be written ({ex.Message}){(deleted ? "; the runner created in GitLab for it was deleted again" : string.Empty)}",
                    $"check that {ConfigDirectory} is a folder this user may write (STATE_DIR), then run Register again");
            }

            throw;
        }
    }

    private void Write(string? existing, RunnerEntry entry)
    {
        Directory.CreateDirectory(ConfigDirectory);
        // A fleet's jobs mount the worker's files, which its user-data makes (STATE_DIR/fleet), not this machine's.
        var dind = settings.Fleet.Enabled ? RemoveJobFiles("FLEET=aws") : settings.Runner.DindAuth == DindAuth.Token ? PrepareTokenMode() : WriteHelperModeFiles();
        var merged = ConfigToml.Merge(existing, entry, ConfigFile);
        if (merged == existing && (OperatingSystem.IsWindows() || File.GetUnixFileMode(ConfigFile) == AtomicFile.Private))
        {
            info($"config.toml is up to date ({ConfigFile}): runner \"{entry.Name}\" unchanged{(dind ? "; DinD files updated" : string.Empty)}");
            return;
        }

        var backup = AtomicFile.Backup(ConfigFile, BackupDirectory);
        AtomicFile.Write(ConfigFile, merged);
        info($"{(existing is null ? "Wrote" : "Updated")} runner \"{entry.Name}\" in {ConfigFile} (mode 0600){(backup is null ? string.Empty : $"; previous file kept as {backup}")}");
        var hosts = string.Join(", ", settings.Aws.Registries.Select(r => r.Host));
        if (settings.Fleet.Enabled)
        {
            info($"FLEET=aws: the runner manages the Auto Scaling group {settings.Fleet.GroupName} with the docker-autoscaler ({entry.Executor.Name}); its helper resolves image: credentials for {hosts}, and DinD jobs use the worker's {(settings.Runner.DindAuth == DindAuth.Token ? $"token folder {Fleet.WorkerPaths.TokenDocker}" : $"helper and instance role ({Fleet.WorkerPaths.DindConfig})")}");
            return;
        }

        info(settings.Runner.DindAuth == DindAuth.Token
            ? $"Jobs get DOCKER_AUTH_CONFIG with credHelpers for {hosts} (the runner's helper pulls their image:) and, for DinD, {state.DindTokenDocker} read-only at {DockerExecutor.TokenTarget} (DOCKER_CONFIG): short-lived ECR tokens, no AWS credentials, no helper"
            : $"Jobs get DOCKER_AUTH_CONFIG with credHelpers for {hosts} and {DindConfigFile} at {DockerExecutor.DindConfigTarget}, with the helper and the runner's credentials (DIND_AUTH=helper)");
    }

    /// <summary>Helper mode: the jobs' credentials file (keys from the environment) and the DinD config.json; returns whether one changed.</summary>
    private bool WriteHelperModeFiles()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DindConfigFile)!);
        if (RunnerCredentials.JobsFile(settings) is { } jobs)
        {
            // The keys of the environment, for the jobs' helper: a private file in the state folder, never config.toml.
            Directory.CreateDirectory(Path.GetDirectoryName(jobs.Path)!);
            AtomicFile.Write(jobs.Path, jobs.Text.Reveal());
        }

        return AtomicFile.Write(DindConfigFile, DockerAuthConfig.File(settings.Aws.Registries.Select(r => r.Host), settings.Helper.UseCredsStore), AtomicFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>
    /// Token mode: the folder jobs mount exists (else the daemon would make it, as root), and the helper mode's files are
    /// gone (the jobs' credentials file holds long-lived keys no job mounts any more); returns whether one was removed.
    /// </summary>
    private bool PrepareTokenMode()
    {
        _ = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(state.DindTokenDocker)
            : Directory.CreateDirectory(state.DindTokenDocker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var removed = RemoveJobFiles("DIND_AUTH=token");
        if (!File.Exists(state.DindTokenStatus))
        {
            warn($"no DinD token yet in {state.DindTokenDocker}: run ./build.sh --target=Up, which starts the token refresher");
        }

        return removed;
    }

    /// <summary>Helper mode's files for this machine's jobs (the jobs' credentials file holds long-lived keys): gone when no job mounts them.</summary>
    private bool RemoveJobFiles(string why)
    {
        var removed = false;
        foreach (var file in new[] { state.JobsCredentials, DindConfigFile }.Where(File.Exists))
        {
            File.Delete(file);
            info($"{why}: removed {file} (jobs no longer mount it)");
            removed = true;
        }

        return removed;
    }

    /// <summary>The runner's system id from the config folder; made (as the runner makes it) when the runner has not written one yet.</summary>
    private string SystemId()
    {
        var path = Path.Combine(ConfigDirectory, SystemIdFile);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } id)
        {
            return id;
        }

        Directory.CreateDirectory(ConfigDirectory);
        var made = "s_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        AtomicFile.Write(path, made + "\n");
        return made;
    }

    /// <summary>Host paths go to the host daemon, which runs on this machine: its architecture picks the helper.</summary>
    private static string Platform => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux/arm64" : "linux/amd64";
}
