using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Lab.GitLab;

/// <summary>The emulator itself, with a plain HTTP client: GitLab's documented status codes and bodies, form or JSON, both auth headers.</summary>
public sealed class GitLabEmulatorTests : IAsyncLifetime
{
    private GitLabEmulator _gitlab = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _http = new HttpClient { BaseAddress = new Uri(_gitlab.Url, "/api/v4/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gitlab.DisposeAsync();
    }

    [Fact]
    public async Task User_runners_takes_a_form_body_and_a_bearer_token_and_answers_201_with_a_glrt_token()
    {
        var project = _gitlab.AddProject("group/app");
        using var request = new HttpRequestMessage(HttpMethod.Post, "user/runners")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["runner_type"] = "project_type", ["project_id"] = project.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["tag_list"] = "a,b" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _gitlab.AddPersonalToken("create_runner"));

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("glrt-", body.GetProperty("token").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("token_expires_at").ValueKind);
        Assert.Equal(["a", "b"], Assert.Single(_gitlab.Runners).Tags);
    }

    [Fact]
    public async Task Missing_or_unknown_tokens_get_GitLabs_status_codes_and_every_call_is_recorded()
    {
        using var noToken = await _http.PostAsync("user/runners", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var unknownRunner = await _http.PostAsync("runners/verify", new StringContent("""{"token":"glrt-nope"}""", System.Text.Encoding.UTF8, "application/json"));
        using var project = await _http.GetAsync("projects/group%2Fnone");
        using var delete = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "runners") { Content = new StringContent("""{"token":"glrt-nope"}""", System.Text.Encoding.UTF8, "application/json") });
        _gitlab.RegistrationEnabled = false;
        using var legacy = await _http.PostAsync("runners", new StringContent($$"""{"token":"{{_gitlab.RegistrationToken}}"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Gone],
            new[] { noToken, unknownRunner, project, delete, legacy }.Select(r => r.StatusCode));
        Assert.Equal(
            ["POST /api/v4/user/runners", "POST /api/v4/runners/verify", "GET /api/v4/projects/group%2Fnone", "DELETE /api/v4/runners", "POST /api/v4/runners"],
            _gitlab.Calls.Snapshot().Select(c => $"{c.Method} {c.Path}"));
    }
}
