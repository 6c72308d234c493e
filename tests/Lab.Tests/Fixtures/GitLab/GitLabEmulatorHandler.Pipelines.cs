using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Lab.Fixtures.GitLab;

/// <summary>
/// The pipeline calls: branches, raw files, commits (body checked as GitLab checks it), pipelines (one, or
/// the newest on a branch), their jobs, job traces (plain text), cancel, a project's runners and runner details; every one
/// needs a personal access token with the api scope (read_api is enough for a GET).
/// </summary>
internal sealed partial class GitLabEmulatorHandler
{
    private static readonly HashSet<string> CommitActions = ["create", "delete", "move", "update", "chmod"];

    /// <summary>The answer's status when <paramref name="path"/> is a pipeline call (the response written), else null.</summary>
    private async Task<int?> PipelinesAsync(HttpContext context, string method, string path)
    {
        var match = PipelinePath().Match(path);
        var runner = RunnerPath().Match(path);
        if (!match.Success && !(runner.Success && method == "GET"))
        {
            return null;
        }

        var request = context.Request;
        var user = gitlab.PersonalTokenOf(PersonalToken(request));
        if (user is null)
        {
            return await JsonAsync(context, 401, new JsonObject { ["message"] = "401 Unauthorized" });
        }

        if (!user.Scopes.Contains("api") && !(method == "GET" && user.Scopes.Contains("read_api")))
        {
            return await JsonAsync(context, 403, new JsonObject { ["error"] = "insufficient_scope", ["error_description"] = "The request requires higher privileges than provided by the access token.", ["scope"] = "api" });
        }

        if (runner.Success)
        {
            return gitlab.RunnerById(long.Parse(runner.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) is { } found
                ? await JsonAsync(context, 200, RunnerDetails(found))
                : await JsonAsync(context, 404, new JsonObject { ["message"] = "404 Not found" });
        }

        if (gitlab.Project(Uri.UnescapeDataString(match.Groups[1].Value)) is not { } project)
        {
            return await JsonAsync(context, 404, new JsonObject { ["message"] = "404 Project Not Found" });
        }

        var repository = gitlab.Repository(project.Id);
        var rest = match.Groups[2].Value;
        var segments = rest.Split('/');
        switch (method, segments)
        {
            case ("GET", ["repository", "branches", var branch]):
                return repository.Branches.ContainsKey(Uri.UnescapeDataString(branch))
                    ? await JsonAsync(context, 200, new JsonObject { ["name"] = Uri.UnescapeDataString(branch), ["default"] = branch == "main" })
                    : await JsonAsync(context, 404, new JsonObject { ["message"] = "404 Branch Not Found" });
            case ("GET", ["repository", "files", var file, "raw"]):
                return repository.Branches.TryGetValue(request.Query["ref"].ToString(), out var files) && files.TryGetValue(Uri.UnescapeDataString(file), out var content)
                    ? await TextAsync(context, 200, content)
                    : await JsonAsync(context, 404, new JsonObject { ["message"] = "404 File Not Found" });
            case ("POST", ["repository", "commits"]):
                return await CommitAsync(context, repository);
            case ("POST", ["pipeline"]):
                var body = await BodyAsync(request);
                var reference = body.GetValueOrDefault("ref");
                if (reference is null)
                {
                    return await JsonAsync(context, 400, new JsonObject { ["error"] = "ref is missing" });
                }

                if (!repository.Branches.TryGetValue(reference, out var onRef))
                {
                    return await JsonAsync(context, 400, new JsonObject { ["message"] = new JsonObject { ["base"] = new JsonArray("Reference not found") } });
                }

                if (!onRef.TryGetValue(".gitlab-ci.yml", out var yaml))
                {
                    return await JsonAsync(context, 400, new JsonObject { ["message"] = new JsonObject { ["base"] = new JsonArray("Missing CI config file") } });
                }

                var started = gitlab.StartPipeline(project.Id, reference, yaml);
                return started.Jobs.Count == 0
                    ? await JsonAsync(context, 400, new JsonObject { ["message"] = new JsonObject { ["base"] = new JsonArray("No stages / jobs for this pipeline.") } })
                    : await JsonAsync(context, 201, PipelineJson(started));
            case ("GET", ["pipelines"]):
                var onBranch = request.Query["ref"].ToString();
                var perPage = int.TryParse(request.Query["per_page"], out var n) ? n : 20;
                return await JsonAsync(context, 200, new JsonArray([.. gitlab.Pipelines
                    .Where(p => p.ProjectId == project.Id && (onBranch.Length == 0 || p.Ref == onBranch))
                    .OrderByDescending(p => p.Id).Take(perPage).Select(p => (JsonNode)PipelineJson(p))]));
            case ("GET", ["runners"]):
                return await JsonAsync(context, 200, new JsonArray([.. gitlab.Runners
                    .Where(r => r.ProjectId == project.Id)
                    .Select(r => (JsonNode)new JsonObject { ["id"] = r.Id, ["description"] = r.Description, ["runner_type"] = "project_type", ["is_shared"] = false, ["paused"] = gitlab.StateOf(r.Id).Paused, ["status"] = gitlab.StateOf(r.Id).Status })]));
            case ("GET", ["pipelines", var id]) when gitlab.Pipeline(project.Id, Number(id)) is { } pipeline:
                return await JsonAsync(context, 200, PipelineJson(pipeline));
            case ("GET", ["pipelines", var id, "jobs"]) when gitlab.Pipeline(project.Id, Number(id)) is { } pipeline:
                gitlab.Advance(pipeline);
                return await JsonAsync(context, 200, JobsJson(pipeline));
            case ("POST", ["pipelines", var id, "cancel"]) when gitlab.Pipeline(project.Id, Number(id)) is { } pipeline:
                pipeline.CancelRequested = true;
                gitlab.Cancel(pipeline);
                return await JsonAsync(context, 200, PipelineJson(pipeline));
            case ("GET", ["jobs", var id, "trace"]) when gitlab.Pipelines.SelectMany(p => p.Jobs).FirstOrDefault(j => j.Id == Number(id)) is { } job:
                return await TextAsync(context, 200, job.Status is "created" or "pending" ? string.Empty : job.Script.Log);
            default:
                return await JsonAsync(context, 404, new JsonObject { ["message"] = "404 Not Found" });
        }
    }

    /// <summary>POST /projects/:id/repository/commits: GitLab's checks of branch, start_branch and each action.</summary>
    private static async Task<int> CommitAsync(HttpContext context, EmulatedRepository repository)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        var branch = body?["branch"]?.GetValue<string>();
        var message = body?["commit_message"]?.GetValue<string>();
        var start = body?["start_branch"]?.GetValue<string>();
        if (body is null || branch is null || message is null || body["actions"] is not JsonArray { Count: > 0 } actions)
        {
            return await JsonAsync(context, 400, new JsonObject { ["error"] = "branch is missing, commit_message is missing, actions is missing" });
        }

        if (start is not null && start != branch && repository.Branches.ContainsKey(branch))
        {
            return await JsonAsync(context, 400, new JsonObject { ["message"] = $"A branch called '{branch}' already exists. Switch to that branch in order to make changes" });
        }

        var source = start is not null && !repository.Branches.ContainsKey(branch) ? start : branch;
        if (!repository.Branches.TryGetValue(source, out var files))
        {
            return await JsonAsync(context, 400, new JsonObject { ["message"] = $"You can only create or edit files when you are on a branch ({source} does not exist)" });
        }

        var result = new Dictionary<string, string>(files, StringComparer.Ordinal);
        foreach (var action in actions.OfType<JsonObject>())
        {
            var kind = action["action"]?.GetValue<string>();
            var path = action["file_path"]?.GetValue<string>();
            if (kind is null || !CommitActions.Contains(kind) || path is null)
            {
                return await JsonAsync(context, 400, new JsonObject { ["error"] = "actions[action] does not have a valid value, actions[file_path] is missing" });
            }

            if (action["encoding"]?.GetValue<string>() is { } encoding && encoding is not ("text" or "base64"))
            {
                return await JsonAsync(context, 400, new JsonObject { ["error"] = "actions[encoding] does not have a valid value" });
            }

            switch (kind)
            {
                case "create" when result.ContainsKey(path):
                    return await JsonAsync(context, 400, new JsonObject { ["message"] = "A file with this name already exists" });
                case "update" when !result.ContainsKey(path):
                    return await JsonAsync(context, 400, new JsonObject { ["message"] = "A file with this name doesn't exist" });
                case "create" or "update":
                    result[path] = action["content"]?.GetValue<string>() ?? string.Empty;
                    break;
                case "delete":
                    result.Remove(path);
                    break;
            }
        }

        repository.Branches[branch] = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(result, StringComparer.Ordinal);
        repository.Commits.Enqueue((branch, message, actions.ToJsonString()));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return await JsonAsync(context, 201, new JsonObject { ["id"] = sha, ["short_id"] = sha[..8], ["title"] = message.Split('\n')[0], ["message"] = message });
    }

    private JsonObject PipelineJson(EmulatedPipeline pipeline) =>
        new() { ["id"] = pipeline.Id, ["iid"] = pipeline.Id, ["project_id"] = pipeline.ProjectId, ["ref"] = pipeline.Ref, ["status"] = pipeline.Status, ["source"] = "api", ["web_url"] = $"{gitlab.WebUrl}project/-/pipelines/{pipeline.Id}" };

    private JsonArray JobsJson(EmulatedPipeline pipeline)
    {
        lock (pipeline)
        {
            return new JsonArray([.. pipeline.Jobs.Select(j => (JsonNode)JobJson(pipeline, j))]);
        }
    }

    private JsonObject JobJson(EmulatedPipeline pipeline, EmulatedJob job) => new()
    {
        ["id"] = job.Id,
        ["name"] = job.Name,
        ["stage"] = "test",
        ["status"] = job.Status,
        ["ref"] = pipeline.Ref,
        ["tag_list"] = new JsonArray([.. job.Tags.Select(t => (JsonNode)t)]),
        ["pipeline"] = new JsonObject { ["id"] = pipeline.Id, ["status"] = pipeline.Status },
        ["web_url"] = $"{gitlab.WebUrl}project/-/jobs/{job.Id}",
    };

    private JsonObject RunnerDetails(EmulatedRunner runner)
    {
        var state = gitlab.StateOf(runner.Id);
        return new JsonObject
        {
            ["id"] = runner.Id,
            ["description"] = runner.Description,
            ["paused"] = state.Paused,
            ["active"] = !state.Paused,
            ["status"] = state.Status,
            ["online"] = state.Status == "online",
            ["runner_type"] = runner.ProjectId is null ? "instance_type" : "project_type",
            ["is_shared"] = runner.ProjectId is null,
            ["tag_list"] = new JsonArray([.. runner.Tags.Select(t => (JsonNode)t)]),
            ["run_untagged"] = runner.RunUntagged,
            ["projects"] = runner.ProjectId is { } project ? new JsonArray(new JsonObject { ["id"] = project }) : new JsonArray(),
        };
    }

    private static long Number(string text) => long.TryParse(text, out var n) ? n : -1;

    private static async Task<int> JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
        return status;
    }

    private static async Task<int> TextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text);
        return status;
    }

    [GeneratedRegex(@"^/api/v4/projects/([^/]+)/(repository/.+|pipeline|pipelines|pipelines/.+|jobs/.+|runners)$")]
    private static partial Regex PipelinePath();

    [GeneratedRegex(@"^/api/v4/runners/(\d+)$")]
    private static partial Regex RunnerPath();
}
