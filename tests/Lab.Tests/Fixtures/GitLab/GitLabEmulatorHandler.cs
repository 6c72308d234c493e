using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lab.Fixtures.GitLab;

/// <summary>Dispatches GitLab API calls with GitLab's documented bodies and status codes.</summary>
internal sealed partial class GitLabEmulatorHandler(GitLabEmulator gitlab)
{
    public async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var path = raw.Split('?')[0];
        var method = context.Request.Method;
        var hasToken = context.Request.Headers.ContainsKey("PRIVATE-TOKEN") || context.Request.Headers.Authorization.Count > 0;
        await RecordAsync(context.Request, raw);
        if (gitlab.Delay > TimeSpan.Zero)
        {
            await Task.Delay(gitlab.Delay, context.RequestAborted);
        }

        // A call is recorded once, before its answer can reach the client: a test that asserts on the calls as soon as
        // its request fails (a dropped connection) must find this one already there.
        var recorded = false;
        void Record(int status)
        {
            if (!recorded)
            {
                recorded = true;
                gitlab.Calls.Add(new GitLabCall(method, path, status, hasToken, DateTimeOffset.UtcNow));
            }
        }

        int status;
        if (gitlab.TryTakeFault(out var fault))
        {
            status = await FaultAsync(context, fault);
        }
        else if (gitlab.TryTakeCreationFault(method, path, out var creation))
        {
            status = await CreationFaultAsync(context, creation, () => DispatchAsync(context, method, path), Record);
        }
        else
        {
            status = await DispatchAsync(context, method, path);
        }

        Record(status);
    }

    private async Task<int> DispatchAsync(HttpContext context, string method, string path)
    {
        int status;
        if (await PipelinesAsync(context, method, path) is { } pipelineStatus)
        {
            status = pipelineStatus;
        }
        else
        {
            var body = await BodyAsync(context.Request);
            (status, var answer) = (method, path) switch
            {
                ("POST", "/api/v4/user/runners") => CreateRunner(context.Request, body),
                ("POST", "/api/v4/runners/verify") => Verify(body),
                ("POST", "/api/v4/runners") => Register(body),
                ("DELETE", "/api/v4/runners") => Delete(body),
                ("GET", _) when path.StartsWith("/api/v4/projects/", StringComparison.Ordinal) && path.Count(c => c == '/') == 4 =>
                    GetProject(context.Request, Uri.UnescapeDataString(path["/api/v4/projects/".Length..])),
                _ when ServerRoute(method, path, context.Request, body) is { } server => server,
                _ => (404, new JsonObject { ["error"] = "404 Not Found" }),
            };
            context.Response.StatusCode = status;
            if (answer is not null)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(answer.ToJsonString());
            }
        }

        return status;
    }

    /// <summary>The request as it arrived (request line, every header, the body), for tests that look for a secret in it.</summary>
    private async Task RecordAsync(HttpRequest request, string raw)
    {
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        request.Body.Position = 0;
        gitlab.Requests.Enqueue($"{request.Method} {raw}\n{string.Join('\n', request.Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{body}");
    }

    /// <summary>A 500 instead of the call; or the call done (the object made) and its answer replaced by a 500 or a dropped connection.</summary>
    private static async Task<int> CreationFaultAsync(HttpContext context, CreationFault fault, Func<Task<int>> dispatch, Action<int> record)
    {
        if (fault != CreationFault.ErrorBefore)
        {
            var real = context.Response.Body;
            context.Response.Body = new MemoryStream();
            await dispatch();
            context.Response.Body = real;
            context.Response.Headers.Clear();
            if (fault == CreationFault.DropAfter)
            {
                record(0);
                context.Abort();
                return 0;
            }
        }

        context.Response.StatusCode = 500;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["message"] = "500 Internal Server Error" }.ToJsonString());
        return 500;
    }

    private static async Task<int> FaultAsync(HttpContext context, GitLabFault fault)
    {
        context.Response.StatusCode = (int)fault.Status;
        if (fault.RetryAfter is { } after)
        {
            context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (fault.Location is { } location)
        {
            context.Response.Headers.Location = location.ToString();
        }

        if (fault.Html is { } html)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(html);
        }
        else
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["message"] = $"{(int)fault.Status} {fault.Status}" }.ToJsonString());
        }

        return (int)fault.Status;
    }

    private (int, JsonNode?) CreateRunner(HttpRequest request, Dictionary<string, string> body)
    {
        var user = gitlab.PersonalTokenOf(PersonalToken(request));
        if (user is null)
        {
            return (401, new JsonObject { ["message"] = "401 Unauthorized" });
        }

        if (!user.Scopes.Contains("create_runner") && !user.Scopes.Contains("api"))
        {
            return (403, new JsonObject
            {
                ["error"] = "insufficient_scope",
                ["error_description"] = "The request requires higher privileges than provided by the access token.",
                ["scope"] = "create_runner api",
            });
        }

        if (!body.TryGetValue("runner_type", out var type))
        {
            return (400, new JsonObject { ["error"] = "runner_type is missing, runner_type does not have a valid value" });
        }

        if (type != "project_type")
        {
            return (403, new JsonObject { ["message"] = "403 Forbidden - insufficient permissions to create a runner of this type" });
        }

        if (!body.TryGetValue("project_id", out var projectText) || gitlab.Project(projectText) is not { } project)
        {
            return (400, new JsonObject { ["message"] = "400 Bad request - project_id is missing or unknown" });
        }

        var runner = gitlab.Add(new EmulatedRunner(
            gitlab.NextId(), "glrt-" + GitLabEmulator.Random(20), body.GetValueOrDefault("description") ?? string.Empty, project.Id,
            Tags(body), !body.TryGetValue("run_untagged", out var untagged) || untagged == "true", Legacy: false));
        return (201, RunnerJson(runner));
    }

    private (int, JsonNode?) Verify(Dictionary<string, string> body)
    {
        if (gitlab.Runner(body.GetValueOrDefault("token")) is not { } runner)
        {
            return (403, new JsonObject { ["message"] = "403 Forbidden" });
        }

        if (body.GetValueOrDefault("system_id") is { Length: > 0 } systemId && !runner.SystemIds.Contains(systemId))
        {
            runner.SystemIds.Add(systemId);
        }

        return (200, RunnerJson(runner));
    }

    private (int, JsonNode?) Register(Dictionary<string, string> body)
    {
        if (body.GetValueOrDefault("token") != gitlab.RegistrationToken)
        {
            return (403, new JsonObject { ["message"] = "403 Forbidden" });
        }

        if (!gitlab.RegistrationEnabled)
        {
            return (410, new JsonObject { ["message"] = "410 Gone - runner registration disallowed" });
        }

        var runner = gitlab.Add(new EmulatedRunner(
            gitlab.NextId(), "glrtr-" + GitLabEmulator.Random(20), body.GetValueOrDefault("description") ?? string.Empty, null,
            Tags(body), !body.TryGetValue("run_untagged", out var untagged) || untagged == "true", Legacy: true));
        return (201, RunnerJson(runner));
    }

    private (int, JsonNode?) Delete(Dictionary<string, string> body) =>
        body.GetValueOrDefault("token") is { } token && gitlab.RemoveRunner(token)
            ? (204, null)
            : (403, new JsonObject { ["message"] = "403 Forbidden" });

    private (int, JsonNode?) GetProject(HttpRequest request, string idOrPath)
    {
        if (gitlab.PersonalTokenOf(PersonalToken(request)) is not { } user)
        {
            return (401, new JsonObject { ["message"] = "401 Unauthorized" });
        }

        if (!user.Scopes.Contains("api") && !user.Scopes.Contains("read_api"))
        {
            return (403, new JsonObject { ["error"] = "insufficient_scope", ["error_description"] = "The request requires higher privileges than provided by the access token.", ["scope"] = "api read_api" });
        }

        return gitlab.Project(idOrPath) is { } project
            ? (200, new JsonObject { ["id"] = project.Id, ["path_with_namespace"] = project.PathWithNamespace, ["default_branch"] = "main" })
            : (404, new JsonObject { ["message"] = "404 Project Not Found" });
    }

    private static JsonObject RunnerJson(EmulatedRunner runner) =>
        new() { ["id"] = runner.Id, ["token"] = runner.Token, ["token_expires_at"] = null };

    private static IReadOnlyList<string> Tags(Dictionary<string, string> body) =>
        (body.GetValueOrDefault("tag_list") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? PersonalToken(HttpRequest request) =>
        request.Headers["PRIVATE-TOKEN"].FirstOrDefault()
        ?? (request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : null);

    /// <summary>A JSON or form body (GitLab takes both) as strings; booleans and numbers as their JSON text.</summary>
    private static async Task<Dictionary<string, string>> BodyAsync(HttpRequest request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync())
            {
                values[key] = value.ToString();
            }
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                if (await JsonNode.ParseAsync(request.Body) is JsonObject json)
                {
                    foreach (var (key, value) in json)
                    {
                        values[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? string.Empty;
                    }
                }
            }
            catch (JsonException)
            {
            }
        }

        foreach (var (key, value) in request.Query)
        {
            values.TryAdd(key, value.ToString());
        }

        return values;
    }
}
