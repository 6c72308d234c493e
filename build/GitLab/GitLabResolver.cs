using Build.Secrets;
using Build.Settings;

namespace Build.GitLab;

/// <summary>
/// Gives the run's GitLab (<see cref="BuildContext.GitLab"/>): the settings' (GITLAB_URL, GITLAB_TOKEN, GITLAB_PROJECT),
/// resolved once, its clear-text warning shown once and only in runs that use GitLab; or in server mode the local
/// GitLab with root's token from the state folder.
/// </summary>
public sealed class GitLabResolver(BuildSettings settings, State.StateLayout state, Redactor redactor, Action<string> warn)
{
    private readonly Lazy<EffectiveGitLab> _fromSettings = new(() =>
    {
        var gitLab = EffectiveGitLab.FromSettings(settings);
        if (gitLab.ClearTextWarning() is { } warning)
        {
            warn(warning);
        }

        return gitLab;
    });

    // The token file is read at each ask, not cached: Bootstrap writes it before Register and SmokeTest ask, so they get its token with no hand-over.
    public EffectiveGitLab Current => settings.Server.Enabled ? LocalServer() : _fromSettings.Value;

    private EffectiveGitLab LocalServer()
    {
        var token = new Server.ServerState(state).ReadToken();
        if (token is not null)
        {
            redactor.Add(token, "the local GitLab's root token");
        }

        return EffectiveGitLab.LocalServer(settings, token);
    }
}
