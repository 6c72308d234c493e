using System.Net;
using System.Text.Json.Nodes;
using Build.Secrets;

namespace Build.GitLab;

/// <summary>
/// The calls of SmokeTest's pipeline mode: the project, a branch and a file on it, one commit, a pipeline
/// started on the branch, its jobs, a job's log, a runner's details, and cancel. All with the personal access token
/// (api scope) in the PRIVATE-TOKEN header, with the same timeouts and retries as Register's calls.
/// </summary>
public sealed partial class GitLabApi
{
    /// <summary><c>GET /projects/:id</c>: the numeric id and default branch.</summary>
    public async Task<GitLabProject> ProjectAsync(Secret token, string project, CancellationToken cancel)
    {
        var json = await PipelineJsonAsync(HttpMethod.Get, Project(project), null, token, "GET /projects/:id", cancel, notFound: $"GITLAB_PROJECT = {project}: no such project that GITLAB_TOKEN can see (404)");
        return ProjectOf(json, "GET /projects/:id");
    }

    /// <summary><c>GET /projects/:id/repository/branches/:branch</c>: whether the branch exists.</summary>
    public async Task<bool> BranchExistsAsync(Secret token, long project, string branch, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, $"projects/{project}/repository/branches/{Uri.EscapeDataString(branch)}", null, token, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await PipelineReadAsync(response, "GET /projects/:id/repository/branches/:branch", null, cancel);
        return true;
    }

    /// <summary><c>GET /projects/:id/repository/files/:path/raw?ref=</c>: the file's text, or null when the branch has no such file.</summary>
    public async Task<string?> FileAsync(Secret token, long project, string branch, string path, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, $"projects/{project}/repository/files/{Uri.EscapeDataString(path)}/raw?ref={Uri.EscapeDataString(branch)}", null, token, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await Check(response, "GET /projects/:id/repository/files/:path/raw", cancel);
        return await response.Content.ReadAsStringAsync(cancel);
    }

    /// <summary><c>POST /projects/:id/repository/commits</c> with one create or update action: the new commit's id.</summary>
    public async Task<string> CommitFileAsync(Secret token, long project, CommitRequest request, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["branch"] = request.Branch,
            ["commit_message"] = request.Message,
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action"] = request.Update ? "update" : "create",
                ["file_path"] = request.Path,
                ["content"] = request.Content,
                ["encoding"] = "text",
            }),
        };
        if (request.StartBranch is { } start)
        {
            body["start_branch"] = start;
        }

        var json = await PipelineJsonAsync(HttpMethod.Post, $"projects/{project}/repository/commits", body, token, "POST /projects/:id/repository/commits", cancel, creates: true);
        return json["id"]?.GetValue<string>() ?? throw Unexpected("POST /projects/:id/repository/commits", "no commit id");
    }

    /// <summary><c>POST /projects/:id/pipeline</c> on <paramref name="reference"/>; not retried once sent (it creates).</summary>
    public async Task<PipelineAnswer> CreatePipelineAsync(Secret token, long project, string reference, CancellationToken cancel) =>
        Pipeline(await PipelineJsonAsync(HttpMethod.Post, $"projects/{project}/pipeline", new JsonObject { ["ref"] = reference }, token, "POST /projects/:id/pipeline", cancel, creates: true));

    /// <summary><c>GET /projects/:id/pipelines?ref=</c>: the newest pipelines on <paramref name="reference"/>, newest first.</summary>
    public async Task<IReadOnlyList<PipelineAnswer>> PipelinesAsync(Secret token, long project, string reference, int count, CancellationToken cancel)
    {
        var json = await PipelineJsonAsync(HttpMethod.Get, $"projects/{project}/pipelines?ref={Uri.EscapeDataString(reference)}&order_by=id&sort=desc&per_page={count}", null, token, "GET /projects/:id/pipelines", cancel);
        return json is JsonArray pipelines
            ? [.. pipelines.OfType<JsonObject>().Select(Pipeline)]
            : throw Unexpected("GET /projects/:id/pipelines", "no list of pipelines");
    }

    /// <summary><c>GET /projects/:id/pipelines/:pipeline_id</c>.</summary>
    public async Task<PipelineAnswer> PipelineAsync(Secret token, long project, long pipeline, CancellationToken cancel) =>
        Pipeline(await PipelineJsonAsync(HttpMethod.Get, $"projects/{project}/pipelines/{pipeline}", null, token, "GET /projects/:id/pipelines/:pipeline_id", cancel));

    /// <summary><c>GET /projects/:id/pipelines/:pipeline_id/jobs</c> (up to 100, the example has two).</summary>
    public async Task<IReadOnlyList<JobAnswer>> JobsAsync(Secret token, long project, long pipeline, CancellationToken cancel)
    {
        var json = await PipelineJsonAsync(HttpMethod.Get, $"projects/{project}/pipelines/{pipeline}/jobs?per_page=100", null, token, "GET /projects/:id/pipelines/:pipeline_id/jobs", cancel);
        return json is JsonArray jobs
            ? [.. jobs.OfType<JsonObject>().Select(j => new JobAnswer(
                j["id"]?.GetValue<long>() ?? 0,
                j["name"]?.GetValue<string>() ?? "?",
                j["stage"]?.GetValue<string>() ?? string.Empty,
                j["status"]?.GetValue<string>() ?? "unknown",
                j["tag_list"] is JsonArray tags ? [.. tags.Select(t => t?.GetValue<string>() ?? string.Empty)] : [],
                j["web_url"]?.GetValue<string>()))]
            : throw Unexpected("GET /projects/:id/pipelines/:pipeline_id/jobs", "no list of jobs");
    }

    /// <summary><c>GET /projects/:id/jobs/:job_id/trace</c>: the job's log (empty when it has none yet), not yet redacted.</summary>
    public async Task<string> TraceAsync(Secret token, long project, long job, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, $"projects/{project}/jobs/{job}/trace", null, token, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return string.Empty;
        }

        await Check(response, "GET /projects/:id/jobs/:job_id/trace", cancel);
        return await response.Content.ReadAsStringAsync(cancel);
    }

    /// <summary><c>GET /runners/:id</c>: the runner's details, or null when GITLAB_TOKEN cannot see it (403, 404).</summary>
    public async Task<RunnerDetails?> RunnerAsync(Secret token, long runner, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, $"runners/{runner}", null, token, cancel);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null;
        }

        var json = await PipelineReadAsync(response, "GET /runners/:id", null, cancel);
        return new RunnerDetails(
            runner,
            json["paused"]?.GetValue<bool>() ?? json["active"]?.GetValue<bool>() is false,
            json["status"]?.GetValue<string>() ?? "unknown",
            json["runner_type"]?.GetValue<string>() ?? "unknown",
            json["tag_list"] is JsonArray tags ? [.. tags.Select(t => t?.GetValue<string>() ?? string.Empty)] : [],
            json["run_untagged"]?.GetValue<bool>() ?? true,
            json["projects"] is JsonArray projects ? [.. projects.Select(p => p?["id"]?.GetValue<long>() ?? 0)] : []);
    }

    /// <summary><c>POST /projects/:id/pipelines/:pipeline_id/cancel</c>; false when GitLab refused.</summary>
    public async Task<bool> CancelPipelineAsync(Secret token, long project, long pipeline, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Post, $"projects/{project}/pipelines/{pipeline}/cancel", null, token, cancel);
        return response.IsSuccessStatusCode;
    }

    private static string Project(string project) => "projects/" + Uri.EscapeDataString(project);

    private static PipelineAnswer Pipeline(JsonNode json) =>
        new(json["id"]?.GetValue<long>() ?? 0, json["status"]?.GetValue<string>() ?? "unknown", json["web_url"]?.GetValue<string>(), json["source"]?.GetValue<string>());

    private async Task<JsonNode> PipelineJsonAsync(HttpMethod method, string path, JsonObject? body, Secret token, string call, CancellationToken cancel, string? notFound = null, bool creates = false)
    {
        using var response = await SendAsync(method, path, body, token, cancel, creates);
        return await PipelineReadAsync(response, call, notFound, cancel);
    }

    private async Task Check(HttpResponseMessage response, string call, CancellationToken cancel)
    {
        if (!response.IsSuccessStatusCode)
        {
            await PipelineReadAsync(response, call, null, cancel);
        }
    }

    /// <summary>Pipeline mode's own wording for 401, 403 and 404; everything else as Register's calls read it.</summary>
    private async Task<JsonNode> PipelineReadAsync(HttpResponseMessage response, string call, string? notFound, CancellationToken cancel)
    {
        var status = (int)response.StatusCode;
        if (status is 401 or 403 or 404 or 400)
        {
            var message = Message(await response.Content.ReadAsStringAsync(cancel));
            throw status switch
            {
                401 => Fail($"GITLAB_TOKEN was rejected by {call} (401 {message}): expired, revoked or mistyped", "create a personal access token with the api scope (User settings > Access tokens) and set GITLAB_TOKEN in .env.local"),
                403 => Fail($"GITLAB_TOKEN may not do {call} (403 {message})", "use a token with the api scope of a user with the Developer role (Maintainer to push to a protected branch) in GITLAB_PROJECT"),
                404 when notFound is not null => Fail(notFound, "set GITLAB_PROJECT to the project's id (Settings > General) or its full path (group/project)"),
                _ => Fail($"{call} answered {status} {message}", "check the message; PIPELINE_BRANCH must be a branch name GitLab accepts, and the project must have a repository"),
            };
        }

        return await ReadJsonAsync(response, call, cancel, personal: true);
    }
}

/// <summary>A project's numeric id and default branch.</summary>
public sealed record GitLabProject(long Id, string DefaultBranch);

/// <summary>One file committed to a branch (made from <see cref="StartBranch"/> when given).</summary>
public sealed record CommitRequest(string Branch, string? StartBranch, string Path, string Content, bool Update, string Message);

/// <summary>A pipeline: id, status (created, pending, running, success, failed, canceled, …), its page, and what started it (api, push, …).</summary>
public sealed record PipelineAnswer(long Id, string Status, string? WebUrl, string? Source = null);

/// <summary>A job of a pipeline as <c>/pipelines/:id/jobs</c> lists it.</summary>
public sealed record JobAnswer(long Id, string Name, string Stage, string Status, IReadOnlyList<string> Tags, string? WebUrl);

/// <summary>What <c>GET /runners/:id</c> says about a runner: why it might not pick a job.</summary>
public sealed record RunnerDetails(long Id, bool Paused, string Status, string RunnerType, IReadOnlyList<string> Tags, bool RunUntagged, IReadOnlyList<long> Projects);
