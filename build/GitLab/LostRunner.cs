using Build.Secrets;

namespace Build.GitLab;

/// <summary>
/// GitLab shows a runner's token only in the answer that creates it, so a runner made by a call whose answer was lost
/// (a 5xx, a broken connection) is of no use, and making another would leave it behind unnoticed. Before creating, the
/// project's runners are listed (when the token may: read_api); after an unclear answer, again. No new runner with the
/// description: GitLab made nothing, and the call may be made again. A new one: Register stops, naming it and how to
/// delete it. It does not delete it itself: that needs the api scope, and a runner matched by guess may be someone's.
/// </summary>
public sealed class LostRunner
{
    private readonly GitLabApi _api;
    private readonly Secret _token;
    private readonly long _projectId;
    private readonly string _project;
    private readonly string _description;
    private readonly Uri _url;
    private IReadOnlySet<long>? _before;

    private LostRunner(GitLabApi api, Secret token, long projectId, string project, string description, Uri url) =>
        (_api, _token, _projectId, _project, _description, _url) = (api, token, projectId, project, description, url);

    /// <summary>Notes the project's runners before a creating call (nothing when the token may not list them).</summary>
    public static async Task<LostRunner> BeforeCreatingAsync(GitLabApi api, Secret token, long projectId, string project, string description, Uri url, CancellationToken cancel)
    {
        var lost = new LostRunner(api, token, projectId, project, description, url);
        lost._before = (await lost.ListAsync(cancel))?.Select(r => r.Id).ToHashSet();
        return lost;
    }

    /// <summary>After an unclear answer: null when GitLab made no runner (so it may be made again); else a failure naming it.</summary>
    public async Task<RunnerAnswer?> FindAsync(CancellationToken cancel)
    {
        var now = _before is null ? null : await ListAsync(cancel);
        if (_before is null || now is null)
        {
            throw new GitLabException(
                $"GITLAB_TOKEN may not list the runners of project {_project} (that needs read_api), so whether GitLab made one is unknown; one it made is of no use, its token was only in the lost answer",
                $"look in GitLab at {_project}'s Settings > CI/CD > Runners for a runner \"{_description}\" made just now and delete it, then run Register again");
        }

        var made = now.Where(r => r.Description == _description && !_before.Contains(r.Id)).Select(r => r.Id).Order().ToList();
        if (made.Count == 0)
        {
            return null;
        }

        var ids = string.Join(", ", made.Select(id => "#" + id));
        throw new GitLabException(
            $"project {_project} has a new runner {ids} \"{_description}\", made by this run; its token was only in the lost answer, so it cannot be used, and Register made no other",
            $"delete runner {ids} in GitLab (Settings > CI/CD > Runners of {_project}, or curl --request DELETE --header \"PRIVATE-TOKEN: <a token with the api scope>\" {_url.ToString().TrimEnd('/')}/api/v4/runners/{made[0]}), then run Register again");
    }

    /// <summary>A look-up that itself fails leaves the question open, as a refusal does: null.</summary>
    private async Task<IReadOnlyList<(long Id, string Description)>?> ListAsync(CancellationToken cancel)
    {
        try
        {
            return await _api.ProjectRunnersAsync(_token, _projectId, cancel);
        }
        catch (GitLabException)
        {
            return null;
        }
    }
}
