using Build.GitLab;
using Build.Runner;
using Build.RunnerConfig;
using Build.Secrets;
using Build.Settings;

namespace Build.Smoke;

/// <summary>
/// Pipeline mode with the run's GitLab (<see cref="BuildContext.GitLab"/>: GITLAB_URL and GITLAB_TOKEN, or the local server
/// and root's token), and the GitLab id of the runner Register wrote (config.toml, or GitLab's answer to its token).
/// </summary>
public sealed class SmokePipeline(BuildSettings settings, Redactor redactor, Action<string> info, Action<string> warn, GitLabApiOptions? apiOptions = null)
{
    public async Task<IReadOnlyList<LevelResult>> RunAsync(EffectiveGitLab gitLab, string pipelineYaml, CancellationToken cancel)
    {
        using var api = new GitLabApi(gitLab.Url, redactor, (apiOptions ?? new GitLabApiOptions()) with
        {
            CaBundle = settings.GitLab.CaBundle?.FullPath,
            Log = warn,
        });
        var options = new PipelineOptions(gitLab.Project!, settings.Smoke.PipelineBranch, settings.Smoke.PipelineTimeout, settings.Smoke.PipelinePendingTimeout, settings.Smoke.PipelinePollInterval, await RunnerIdAsync(api, cancel));
        return await new PipelineMode(api, gitLab.PersonalToken!, options, redactor, info).RunAsync(pipelineYaml, cancel);
    }

    /// <summary>The id the runner wrote into config.toml; else GitLab's answer to verifying its token (as Register does); null when neither says.</summary>
    private async Task<long?> RunnerIdAsync(GitLabApi api, CancellationToken cancel)
    {
        var configDirectory = RunnerStack.ConfigDirectoryFor(settings);
        var file = Path.Combine(configDirectory, "config.toml");
        try
        {
            var text = File.ReadAllText(file);
            if (RunnerUnregister.GitLabIdOf(text, settings.Runner.Name) is { } id && long.TryParse(id, out var written))
            {
                return written;
            }

            if (ConfigToml.TokenOf(text, settings.Runner.Name, file) is not { } token)
            {
                return null;
            }

            var secret = new Secret(token);
            redactor.Add(secret, "the runner token in config.toml");
            var systemIdFile = Path.Combine(configDirectory, RunnerRegister.SystemIdFile);
            var systemId = File.Exists(systemIdFile) ? File.ReadAllText(systemIdFile).Trim() : null;
            return (await api.VerifyAsync(secret, systemId, cancel))?.Id;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ConfigTomlException or GitLabException)
        {
            return null;
        }
    }
}
