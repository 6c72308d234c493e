using System.Net;
using Build.GitLab;
using Build.Secrets;

namespace Lab.GitLab;

/// <summary>
/// A GitLab that redirects its API to another origin (another port on loopback here): the call is not followed, so no
/// token (PRIVATE-TOKEN header, a token in the body) reaches the other listener, and the error names where it pointed.
/// </summary>
public sealed class GitLabRedirectTests : IAsyncLifetime
{
    private static readonly GitLabApiOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(5) };
    private GitLabEmulator _gitlab = null!;
    private GitLabEmulator _elsewhere = null!;

    public async Task InitializeAsync()
    {
        _gitlab = await GitLabEmulator.StartNewAsync();
        _elsewhere = await GitLabEmulator.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        await _gitlab.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Theory]
    [InlineData(HttpStatusCode.Found, "project")]
    [InlineData(HttpStatusCode.MovedPermanently, "project")]
    [InlineData(HttpStatusCode.TemporaryRedirect, "verify")]
    [InlineData(HttpStatusCode.PermanentRedirect, "verify")]
    public async Task A_redirect_to_another_origin_is_not_followed_and_no_token_reaches_it(HttpStatusCode status, string call)
    {
        // Given GitLab answering its next call with a redirect to another listener (another port on 127.0.0.1)
        var personal = _gitlab.AddPersonalToken("api");
        var runner = _gitlab.AddRunner();
        _gitlab.AddProject("group/app");
        var path = call == "project" ? "/api/v4/projects/group%2Fapp" : "/api/v4/runners/verify";
        _gitlab.Fail(1, status, location: new Uri(_elsewhere.Url, path));
        var redactor = new Redactor();
        using var api = new GitLabApi(_gitlab.Url, redactor, Fast);

        // When the call carries the personal token (header) or the runner token (body, which a 307/308 would resend)
        var thrown = await Record.ExceptionAsync(() => call == "project"
            ? api.ProjectIdAsync(new Secret(personal), "group/app", default)
            : api.VerifyAsync(new Secret(runner.Token), null, default));

        // Then the other listener never saw a token, nor anything at all
        Assert.DoesNotContain(_elsewhere.Requests, r => r.Contains("PRIVATE-TOKEN", StringComparison.OrdinalIgnoreCase) || r.Contains(personal) || r.Contains(runner.Token));
        Assert.Empty(_elsewhere.Requests);
        Assert.Single(_gitlab.Calls.Snapshot());

        // And the call failed with the redirect's target and the fix, and no token
        var error = Assert.IsType<GitLabException>(thrown);
        var origin = $"http://127.0.0.1:{_elsewhere.Url.Port}";
        Assert.Contains($"answered {(int)status}, a redirect to {origin}{path}", error.Message);
        Assert.Contains($"set GITLAB_URL to {origin}", error.Message);
        Assert.DoesNotContain(personal, error.Message);
        Assert.DoesNotContain(runner.Token, error.Message);
    }

    [Fact]
    public async Task A_redirect_is_reported_without_its_user_info_or_query_and_with_the_GitLab_URL_it_implies()
    {
        // Given a redirect whose Location carries user info, a path prefix and a token in its query
        var personal = _gitlab.AddPersonalToken("api");
        var location = new Uri($"https://deploy:s3cretpass@127.0.0.1:{_elsewhere.Url.Port}/gitlab/api/v4/projects/7?private_token={personal}");
        _gitlab.Fail(1, HttpStatusCode.Found, location: location);
        using var api = new GitLabApi(_gitlab.Url, new Redactor(), Fast);

        var error = await Assert.ThrowsAsync<GitLabException>(() => api.ProjectIdAsync(new Secret(personal), "7", default));

        Assert.Contains($"a redirect to https://***@127.0.0.1:{_elsewhere.Url.Port}/gitlab/api/v4/projects/7?…", error.Message);
        Assert.Contains($"set GITLAB_URL to https://127.0.0.1:{_elsewhere.Url.Port}/gitlab ", error.Message);
        Assert.DoesNotContain("s3cretpass", error.Message);
        Assert.DoesNotContain(personal, error.Message);
        Assert.Empty(_elsewhere.Requests);
    }
}
