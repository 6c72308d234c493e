using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Secrets;

namespace Build.GitLab;

/// <summary>
/// The few GitLab REST calls Register makes. Tokens travel in bodies and headers only, never to another
/// address (redirects are not followed), and every token GitLab hands out is registered with the redactor before
/// anything else happens. Timeouts and retries: see GitLabApi.Transport.cs.
/// </summary>
public sealed partial class GitLabApi : IDisposable
{
    /// <summary><c>POST /runners/verify</c>: the runner, or null when GitLab does not know the token (403).</summary>
    public async Task<RunnerAnswer?> VerifyAsync(Secret token, string? systemId, CancellationToken cancel)
    {
        var body = new JsonObject { ["token"] = token.Reveal() };
        if (systemId is not null)
        {
            body["system_id"] = systemId;
        }

        using var response = await SendAsync(HttpMethod.Post, "runners/verify", body, null, cancel);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            return null;
        }

        return Runner(await ReadJsonAsync(response, "POST /runners/verify", cancel), token);
    }

    /// <summary><c>POST /user/runners</c> with a personal access token: a new project runner. Not retried once sent (it creates).</summary>
    public async Task<RunnerAnswer> CreateProjectRunnerAsync(Secret personalToken, long projectId, RunnerRequest request, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["runner_type"] = "project_type",
            ["project_id"] = projectId,
            ["description"] = request.Description,
            ["run_untagged"] = request.RunUntagged,
            ["tag_list"] = string.Join(',', request.Tags),
        };
        using var response = await SendAsync(HttpMethod.Post, "user/runners", body, personalToken, cancel, creates: true);
        return Runner(await ReadJsonAsync(response, "POST /user/runners", cancel, personal: true), null);
    }

    /// <summary>Legacy <c>POST /runners</c> with a registration token; 410 (registration disabled) is an error with advice.</summary>
    public async Task<RunnerAnswer> RegisterAsync(Secret registrationToken, RunnerRequest request, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["token"] = registrationToken.Reveal(),
            ["description"] = request.Description,
            ["run_untagged"] = request.RunUntagged,
            ["tag_list"] = string.Join(',', request.Tags),
        };
        using var response = await SendAsync(HttpMethod.Post, "runners", body, null, cancel, creates: true);
        return Runner(await ReadJsonAsync(response, "POST /runners", cancel), null);
    }

    /// <summary><c>GET /projects/:id/runners?type=project_type</c>: the project's runners (id, description); null when the token may not list them (401, 403: read_api is needed).</summary>
    public async Task<IReadOnlyList<(long Id, string Description)>?> ProjectRunnersAsync(Secret personalToken, long projectId, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, $"projects/{projectId}/runners?type=project_type&per_page=100", null, personalToken, cancel);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }

        return await ReadJsonAsync(response, "GET /projects/:id/runners", cancel, personal: true) is JsonArray runners
            ? [.. runners.OfType<JsonObject>().Select(r => (r["id"]?.GetValue<long>() ?? 0, r["description"]?.GetValue<string>() ?? string.Empty))]
            : throw Unexpected("GET /projects/:id/runners", "no list of runners");
    }

    /// <summary><c>DELETE /runners</c> by authentication token; false when GitLab refused.</summary>
    public async Task<bool> DeleteAsync(Secret token, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Delete, "runners", new JsonObject { ["token"] = token.Reveal() }, null, cancel);
        return response.IsSuccessStatusCode;
    }

    /// <summary><c>GET /projects/:id</c> (a number or a URL-encoded path): the project's numeric id.</summary>
    public async Task<long> ProjectIdAsync(Secret personalToken, string project, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, "projects/" + Uri.EscapeDataString(project), null, personalToken, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw Fail(
                $"GITLAB_PROJECT = {project}: GitLab at {Origin} has no such project that GITLAB_TOKEN can see (404)",
                "set GITLAB_PROJECT to the project's id (Settings > General) or its full path (group/project), and use a token of a member with the Maintainer role");
        }

        var json = await ReadJsonAsync(response, "GET /projects/:id", cancel, personal: true);
        return json["id"]?.GetValue<long>() ?? throw Unexpected("GET /projects/:id", "no id");
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response, string call, CancellationToken cancel, bool personal = false)
    {
        var text = await response.Content.ReadAsStringAsync(cancel);
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType is "text/html" || text.TrimStart().StartsWith('<'))
        {
            throw Fail(
                $"{call} to {Origin} answered {status} with an HTML page, not GitLab's API (a proxy, captive portal or sign-in page?)",
                "check GITLAB_URL (the GitLab instance's own address, e.g. https://gitlab.example.com) and HTTPS_PROXY/NO_PROXY",
                ambiguous: status >= 500 || response.IsSuccessStatusCode);
        }

        if (response.IsSuccessStatusCode)
        {
            try
            {
                return JsonNode.Parse(text) ?? throw Unexpected(call, "an empty body");
            }
            catch (JsonException)
            {
                throw Unexpected(call, "a body that is not JSON");
            }
        }

        var message = Message(text);
        throw (status, call) switch
        {
            (401, _) when personal => Fail($"GITLAB_TOKEN was rejected by {call} (401 {message}): expired, revoked or mistyped", "create a personal access token with the create_runner scope (User settings > Access tokens) and set GITLAB_TOKEN in .env.local"),
            (403, "GET /projects/:id") => Fail($"GITLAB_TOKEN may not read GITLAB_PROJECT ({call}: 403 {message})", "give GITLAB_PROJECT as the project's number (Settings > General), which needs no look-up, or add the read_api scope to the token"),
            (403, _) when personal && message.Contains("scope", StringComparison.OrdinalIgnoreCase) => Fail($"GITLAB_TOKEN has no create_runner scope ({call}: 403 {message})", "create a personal access token with the create_runner scope (and read_api when GITLAB_PROJECT is a path) and set GITLAB_TOKEN"),
            (403, _) when personal => Fail($"GITLAB_TOKEN may not create a runner for this project ({call}: 403 {message})", "use a token of a user with the Maintainer or Owner role in GITLAB_PROJECT"),
            (403, "POST /runners") => Fail($"GitLab rejected GITLAB_REGISTRATION_TOKEN (403 {message})", "copy the registration token again, or better create a runner in GitLab (Settings > CI/CD > Runners > New project runner) and set its glrt- token as GITLAB_RUNNER_TOKEN"),
            (410, "POST /runners") => Fail($"GitLab has runner registration tokens disabled (410 {message}); they are off by default since GitLab 17.0 and removed in 20.0", "create the runner in GitLab (Settings > CI/CD > Runners > New project runner) and set its glrt- token as GITLAB_RUNNER_TOKEN, or set GITLAB_TOKEN (create_runner scope) and GITLAB_PROJECT and Register creates it"),
            _ => Fail($"{call} answered {status} {message}", "check the message above; GITLAB_URL must be the GitLab instance's address", ambiguous: status >= 500),
        };
    }

    private RunnerAnswer Runner(JsonNode json, Secret? known)
    {
        var tokenText = json["token"]?.GetValue<string>();
        var token = known ?? (tokenText is { Length: > 0 } ? new Secret(tokenText) : throw Unexpected("the runner answer", "no token"));
        _redactor.Add(token, "the runner's authentication token");
        var expires = json["token_expires_at"]?.GetValue<string>() is { } at && DateTimeOffset.TryParse(at, out var parsed) ? parsed : (DateTimeOffset?)null;
        return new RunnerAnswer(json["id"]?.GetValue<long>() ?? 0, token, expires);
    }

    private static string Message(string text)
    {
        try
        {
            var json = JsonNode.Parse(text);
            var message = json?["message"] ?? json?["error"];
            return message is null ? string.Empty : message.ToJsonString().Trim('"');
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }

    /// <summary>A success answer that lacks what it should hold: for a creating call, GitLab may have made the object.</summary>
    private GitLabException Unexpected(string call, string what) =>
        Fail($"{call} from {Origin} came back with {what}", "check that GITLAB_URL is a GitLab instance (its /api/v4 answers JSON)", ambiguous: true);

    private GitLabException Fail(string problem, string fix, bool ambiguous = false, Exception? inner = null) =>
        new(problem, fix, inner) { Ambiguous = ambiguous };
}
