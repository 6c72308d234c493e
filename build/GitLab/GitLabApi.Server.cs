using System.Net;
using System.Text.Json.Nodes;
using Build.Secrets;

namespace Build.GitLab;

/// <summary>The calls of the local GitLab's bootstrap (server mode): root's token check and the smoke-test project.</summary>
public sealed partial class GitLabApi
{
    /// <summary><c>GET /user</c>: the token's username, or null when GitLab rejects the token (401).</summary>
    public async Task<string?> UserAsync(Secret personalToken, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, "user", null, personalToken, cancel);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        var json = await BootstrapJsonAsync(response, "GET /user", cancel);
        return json["username"]?.GetValue<string>() ?? throw Unexpected("GET /user", "no username");
    }

    /// <summary><c>GET /projects/:path</c>: the project, or null when there is no such project (404).</summary>
    public async Task<GitLabProject?> FindProjectAsync(Secret personalToken, string path, CancellationToken cancel)
    {
        using var response = await SendAsync(HttpMethod.Get, "projects/" + Uri.EscapeDataString(path), null, personalToken, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ProjectOf(await BootstrapJsonAsync(response, "GET /projects/:id", cancel), "GET /projects/:id");
    }

    /// <summary>
    /// <c>POST /projects</c> in the token user's namespace: private, with a README, so it has the branch <c>main</c> to
    /// commit to. Not retried once sent (it creates): see <see cref="CreateOnceAsync{T}"/>.
    /// </summary>
    public async Task<GitLabProject> CreateProjectAsync(Secret personalToken, string path, CancellationToken cancel)
    {
        var body = new JsonObject
        {
            ["name"] = path,
            ["path"] = path,
            ["visibility"] = "private",
            ["initialize_with_readme"] = true,
            ["default_branch"] = "main",
        };
        using var response = await SendAsync(HttpMethod.Post, "projects", body, personalToken, cancel, creates: true);
        return ProjectOf(await BootstrapJsonAsync(response, "POST /projects", cancel), "POST /projects");
    }

    private GitLabProject ProjectOf(JsonNode json, string call) =>
        new(json["id"]?.GetValue<long>() ?? throw Unexpected(call, "no id"), json["default_branch"]?.GetValue<string>() is { Length: > 0 } branch ? branch : "main");

    /// <summary>The body of a bootstrap call; a refusal names the local GitLab and root's token, not GITLAB_TOKEN.</summary>
    private async Task<JsonNode> BootstrapJsonAsync(HttpResponseMessage response, string call, CancellationToken cancel)
    {
        if (response.IsSuccessStatusCode)
        {
            return await ReadJsonAsync(response, call, cancel);
        }

        var status = (int)response.StatusCode;
        var message = Message(await response.Content.ReadAsStringAsync(cancel));
        throw status switch
        {
            401 or 403 => Fail(
                $"the local GitLab at {Origin} refused root's token on {call} ({status} {message})",
                "the token in STATE_DIR/server/bootstrap/root-token does not match the server's database (data restored or replaced?): delete that file and run ./build.sh --target=Up --server again; gitlab-rails creates a new one"),
            _ => Fail(
                $"{call} on the local GitLab at {Origin} answered {status} {message}{(status >= 500 && call.StartsWith("GET ", StringComparison.Ordinal) ? " (after retries)" : string.Empty)}",
                "read the server's log (STATE_DIR/compose/compose logs gitlab), then run ./build.sh --target=Up --server again: every bootstrap step finds what exists and creates only what is missing",
                ambiguous: status >= 500),
        };
    }
}
