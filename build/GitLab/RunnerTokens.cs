using Build.Secrets;
using Build.Settings;

namespace Build.GitLab;

/// <summary>
/// Decides the runner's authentication token: GITLAB_RUNNER_TOKEN, verified; else the token already in
/// config.toml, verified, so a rerun creates nothing; else a new runner through GITLAB_TOKEN (POST /user/runners) or the
/// legacy GITLAB_REGISTRATION_TOKEN (POST /runners), each made at most once: an unclear answer is looked into first
/// (<see cref="LostRunner"/>), since the new runner's token is only in that answer.
/// </summary>
public sealed class RunnerTokens(BuildSettings settings, EffectiveGitLab gitLab, GitLabApi api, Action<string> log)
{
    /// <summary>The token to write, and whether GitLab created a runner for it in this run (to be deleted if the write fails).</summary>
    public async Task<(Secret Token, bool Created)> ObtainAsync(Secret? existing, string? systemId, CancellationToken cancel)
    {
        if (settings.GitLab.RunnerToken is { } given)
        {
            var verified = await api.VerifyAsync(given, systemId, cancel) ?? throw new GitLabException(
                $"GitLab at {gitLab.Url} does not know GITLAB_RUNNER_TOKEN (POST /runners/verify answered 403): mistyped, reset or its runner deleted",
                "copy the token again from the runner's page (Settings > CI/CD > Runners), or create a new runner there and set its glrt- token as GITLAB_RUNNER_TOKEN in .env.local");
            log($"GITLAB_RUNNER_TOKEN verified: runner {verified.Id}{Expiry(verified)}");
            return (given, false);
        }

        if (existing is not null)
        {
            if (await api.VerifyAsync(existing, systemId, cancel) is { } known)
            {
                log($"The token in config.toml is still valid (runner {known.Id}{Expiry(known)}): no new runner created");
                return (existing, false);
            }

            if (gitLab.PersonalToken is null && settings.GitLab.RegistrationToken is null)
            {
                throw new GitLabException(
                    $"GitLab at {gitLab.Url} no longer knows the token of runner \"{settings.Runner.Name}\" in config.toml (403), and no setting can create another",
                    "set GITLAB_RUNNER_TOKEN (a new runner's glrt- token), or GITLAB_TOKEN and GITLAB_PROJECT so Register creates one");
            }

            log("GitLab no longer knows the token in config.toml (403): registering the runner again");
        }

        var request = new RunnerRequest(settings.GitLab.RunnerDescription ?? settings.Runner.Name, settings.GitLab.RunnerTags, settings.GitLab.RunUntagged);
        if (gitLab.PersonalToken is { } personal)
        {
            var project = gitLab.Project ?? throw new GitLabException(
                "GITLAB_TOKEN creates a project runner, and GITLAB_PROJECT is not set",
                "set GITLAB_PROJECT to the project's id or path (group/project)");
            // A numeric id needs no look-up, so a token with only the create_runner scope is enough.
            var projectId = long.TryParse(project, out var number) ? number : await api.ProjectIdAsync(personal, project, cancel);
            var lost = await LostRunner.BeforeCreatingAsync(api, personal, projectId, project, request.Description, gitLab.Url, cancel);
            var created = await api.CreateOnceAsync($"runner \"{request.Description}\"", ct => api.CreateProjectRunnerAsync(personal, projectId, request, ct), lost.FindAsync, cancel);
            log($"Created runner {created.Id} for project {project} through POST /user/runners{Expiry(created)}; its token is kept only in config.toml");
            return (created.Token, true);
        }

        if (settings.GitLab.RegistrationToken is { } registration)
        {
            var registered = await api.CreateOnceAsync($"runner \"{request.Description}\"", ct => api.RegisterAsync(registration, request, ct), _ => throw Unknowable(request.Description), cancel);
            log($"Registered runner {registered.Id} with the legacy registration token (deprecated; removed in GitLab 20.0: prefer GITLAB_RUNNER_TOKEN)");
            return (registered.Token, true);
        }

        throw new GitLabException(
            "no GitLab token is set and config.toml holds no runner token to reuse",
            "create a runner in GitLab (Settings > CI/CD > Runners > New project runner) and put its token in .env.local as GITLAB_RUNNER_TOKEN=glrt-…; or set GITLAB_TOKEN (create_runner scope) and GITLAB_PROJECT");
    }

    /// <summary>A registration token lists nothing: a runner registered by a call whose answer was lost cannot be found, so it is named for the user to look.</summary>
    private static GitLabException Unknowable(string description) => new(
        "a registration token may not list runners, so whether GitLab registered one is unknown; one it registered is of no use, its token was only in the lost answer",
        $"look in GitLab for a runner \"{description}\" registered just now (Settings > CI/CD > Runners of the project or group the registration token belongs to) and delete it, then run Register again");

    private static string Expiry(RunnerAnswer answer) => answer.ExpiresAt is { } at ? $", token expires {at:u}" : string.Empty;
}
