using System.Net;
using Build.GitLab;
using Build.Secrets;

namespace Lab.GitLab;

/// <summary>The bootstrap's calls (server mode) against the emulator: token check, project look-up and creation, their failures.</summary>
public sealed class GitLabApiServerTests : IAsyncLifetime
{
    private static readonly GitLabApiOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(5) };
    private GitLabEmulator _gitlab = null!;
    private string _tokens = null!;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _tokens = Path.Combine(Directory.CreateTempSubdirectory("gitlab-root-tokens-").FullName, "root-tokens");
        _gitlab.RootTokensFile = _tokens;
    }

    public async Task DisposeAsync()
    {
        await _gitlab.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_tokens)!, recursive: true);
    }

    private GitLabApi Api() => new(_gitlab.Url, new Redactor(), Fast);

    [Fact]
    public async Task A_root_token_is_accepted_once_gitlab_rails_wrote_it_and_the_project_is_created_then_found()
    {
        var token = new Secret("abcdefghijkmnopqrstu");
        using var api = Api();

        var before = await api.UserAsync(token, default);
        File.WriteAllText(_tokens, token.Reveal() + "\n");
        var user = await api.UserAsync(token, default);
        var missing = await api.FindProjectAsync(token, "root/ecr-smoke", default);
        var created = await api.CreateProjectAsync(token, "ecr-smoke", default);
        var found = await api.FindProjectAsync(token, "root/ecr-smoke", default);

        Assert.Null(before);
        Assert.Equal("root", user);
        Assert.Null(missing);
        Assert.Equal(created, found);
        Assert.True(_gitlab.HasReadme(created.Id));
        Assert.Equal(
            ["GET /api/v4/user 401", "GET /api/v4/user 200", "GET /api/v4/projects/root%2Fecr-smoke 404", "POST /api/v4/projects 201", "GET /api/v4/projects/root%2Fecr-smoke 200"],
            _gitlab.Calls.Snapshot().Select(c => $"{c.Method} {c.Path} {c.Status}"));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, 1, "POST /projects on the local GitLab at http://127.0.0.1:", "every bootstrap step finds what exists")]
    [InlineData(HttpStatusCode.Unauthorized, 1, "refused root's token on POST /projects (401", "delete that file and run ./build.sh --target=Up --server again")]
    [InlineData(HttpStatusCode.Forbidden, 1, "refused root's token on POST /projects (403", "STATE_DIR/server/bootstrap/root-token")]
    public async Task A_failed_project_creation_names_the_local_gitlab_and_the_fix(HttpStatusCode status, int attempts, string problem, string fix)
    {
        var token = new Secret("abcdefghijkmnopqrstu");
        File.WriteAllText(_tokens, token.Reveal() + "\n");
        _gitlab.ProjectCreationFault = status;
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.CreateProjectAsync(token, "ecr-smoke", default));

        Assert.Contains(problem, error.Message);
        Assert.Contains(fix, error.Message);
        Assert.DoesNotContain(token.Reveal(), error.Message);
        Assert.Equal(attempts, _gitlab.Calls.Count("POST", "/api/v4/projects"));
        Assert.Equal(status == HttpStatusCode.InternalServerError, error.Ambiguous);
        Assert.DoesNotContain("after retries", error.Message);
        Assert.Empty(_gitlab.Projects);
    }

    [Theory]
    [InlineData(CreationFault.ErrorAfter)]
    [InlineData(CreationFault.DropAfter)]
    public async Task A_project_made_by_a_call_whose_answer_was_lost_is_found_and_not_made_twice(CreationFault fault)
    {
        // Given GitLab that makes the project and then answers 500 or drops the connection
        var token = new Secret("abcdefghijkmnopqrstu");
        File.WriteAllText(_tokens, token.Reveal() + "\n");
        _gitlab.FailCreation("POST", "/api/v4/projects", fault);
        var lines = new List<string>();
        using var api = new GitLabApi(_gitlab.Url, new Redactor(), Fast with { Log = lines.Add });

        // When the project is created as the bootstrap creates it
        var project = await api.CreateOnceAsync("project root/ecr-smoke", ct => api.CreateProjectAsync(token, "ecr-smoke", ct), ct => api.FindProjectAsync(token, "root/ecr-smoke", ct), default);

        // Then the one project GitLab made is found and used, and no second POST was made
        Assert.Equal(Assert.Single(_gitlab.Projects).Id, project.Id);
        Assert.Equal(1, _gitlab.Calls.Count("POST", "/api/v4/projects"));
        Assert.Contains(lines, l => l.Contains("project root/ecr-smoke is there", StringComparison.Ordinal));
        Assert.DoesNotContain(token.Reveal(), string.Join('\n', lines));
    }

    [Fact]
    public async Task A_project_GitLab_never_makes_is_looked_for_after_each_attempt_and_then_reported()
    {
        var token = new Secret("abcdefghijkmnopqrstu");
        File.WriteAllText(_tokens, token.Reveal() + "\n");
        _gitlab.ProjectCreationFault = HttpStatusCode.InternalServerError;
        using var api = Api();

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.CreateOnceAsync(
            "project root/ecr-smoke", ct => api.CreateProjectAsync(token, "ecr-smoke", ct), ct => api.FindProjectAsync(token, "root/ecr-smoke", ct), default));

        Assert.StartsWith("POST /projects on the local GitLab", error.Message);
        Assert.Contains("project root/ecr-smoke was not there after 4 attempts", error.Message);
        Assert.Contains("every bootstrap step finds what exists", error.Message);
        Assert.Equal(
            string.Concat(Enumerable.Repeat("POST 500 GET 404 ", 4)),
            string.Concat(_gitlab.Calls.Snapshot().Select(c => $"{c.Method} {c.Status} ")));
        Assert.Empty(_gitlab.Projects);
    }

    [Fact]
    public async Task An_unreachable_local_GitLab_is_a_Bootstrap_failure_not_a_Register_one()
    {
        var url = _gitlab.Url;
        await _gitlab.DisposeAsync();
        using var api = new GitLabApi(url, new Redactor(), Fast);

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.UserAsync(new Secret("abcdefghijkmnopqrstu"), default));

        Assert.StartsWith("GitLab at ", error.Message);
        Assert.Contains("cannot be reached", error.Message);
    }

    [Fact]
    public async Task The_readiness_probe_gets_a_json_401_without_a_token()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(Build.Server.ServerReadiness.Probe(_gitlab.Url));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
