using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lab.Fixtures.GitLab;

/// <summary>The bootstrap's endpoints: the version (401 without a token), the token's user, project creation.</summary>
internal sealed partial class GitLabEmulatorHandler
{
    private (int, JsonNode?)? ServerRoute(string method, string path, HttpRequest request, Dictionary<string, string> body) => (method, path) switch
    {
        ("GET", "/api/v4/version") => gitlab.PersonalTokenOf(PersonalToken(request)) is null
            ? Unauthorized()
            : (200, new JsonObject { ["version"] = "19.3.0-emulated", ["revision"] = "lab" }),
        ("GET", "/api/v4/user") => gitlab.PersonalTokenOf(PersonalToken(request)) is null
            ? Unauthorized()
            : (200, new JsonObject { ["id"] = 1, ["username"] = "root", ["is_admin"] = true }),
        ("POST", "/api/v4/projects") => CreateProject(request, body),
        _ => null,
    };

    private static (int, JsonNode?) Unauthorized() => (401, new JsonObject { ["message"] = "401 Unauthorized" });

    private (int, JsonNode?) CreateProject(HttpRequest request, Dictionary<string, string> body)
    {
        if (gitlab.PersonalTokenOf(PersonalToken(request)) is null)
        {
            return Unauthorized();
        }

        if (gitlab.ProjectCreationFault is { } fault)
        {
            return ((int)fault, new JsonObject { ["message"] = $"{(int)fault} {fault} (emulated)" });
        }

        var path = body.GetValueOrDefault("path") ?? body.GetValueOrDefault("name");
        if (string.IsNullOrEmpty(path))
        {
            return (400, new JsonObject { ["error"] = "name, path are missing, at least one parameter must be provided" });
        }

        if (gitlab.Project("root/" + path) is not null)
        {
            return (400, new JsonObject { ["message"] = new JsonObject { ["path"] = new JsonArray("has already been taken") } });
        }

        var project = gitlab.CreateProject("root/" + path, body.GetValueOrDefault("initialize_with_readme") == "true");
        return (201, new JsonObject { ["id"] = project.Id, ["path_with_namespace"] = project.PathWithNamespace, ["default_branch"] = "main" });
    }
}
